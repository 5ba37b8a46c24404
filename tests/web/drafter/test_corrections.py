"""Correcting the analysis in the workspace: the forms, the point page, and what pages show;
and hostile input there (ids beyond any row, names and reasons of invisible text, impossible
dates), each with a clear answer that changes nothing."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote, unquote

import pytest
from sqlmodel import Session, select

from comments.storage.models import AuditLog, Correction, Decision
from tests.conftest import add_draft
from tests.drafter_helpers import (  # noqa: F401
    ORG,
    cluster_decision,
    fast_password_hashing,
    log_in,
    make_account,
)

pytestmark = pytest.mark.anyio

SLUG = "tingche"
CLAUSE = "第一章/第一条"
BODIES = [
    "我们小区只有一家运营商，宽带太贵了，希望引入竞争。",
    "小区宽带被一家垄断，价格贵得离谱，应该允许其他运营商进场。",
    "小区只能装一家的宽带，又贵又慢，请打破垄断。",
    "停车位太少了，晚上回家根本没地方停车。",
    "小区车位严重不足，每天晚上找车位要转好几圈。",
]


@pytest.fixture
async def desk(client, engine):
    add_draft(engine, organisation=ORG)
    ids = []
    for body in BODIES:
        r = await client.post(f"/api/drafts/{SLUG}/comments", json={"clause": CLAUSE, "body": body})
        assert r.status_code == 201
        ids.append(r.json()["id"])
    me = make_account(engine, "起草人", ORG)
    csrf = await log_in(client, me)
    return {"ids": ids, "csrf": csrf, "me": me}


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return unescape(found.group(1))


async def point_form(client, desk, key: str, page, **fields: str):
    """A point's correction form, posted as the page ``page`` would."""
    data = {"csrf_token": desk["csrf"], "cluster": key, "digest": hidden(page.text, "digest")}
    return await client.post(f"/drafter/drafts/{SLUG}/corrections", data={**data, **fields})


async def digest_json(client, desk) -> dict:
    r = await client.get(f"/api/drafts/{SLUG}/digest", headers=desk["me"].bearer)
    return r.json()


async def test_the_comment_form_corrects_only_what_changed_and_the_pages_show_it(client, desk):
    first = desk["ids"][0]
    page = await client.get(f"/drafter/drafts/{SLUG}/comments/{first}")
    assert page.status_code == 200
    assert "机器判断" in page.text and "保存更正" in page.text
    note = next(n for n in (await digest_json(client, desk))["comments"] if n["id"] == first)
    r = await client.post(
        f"/drafter/drafts/{SLUG}/corrections",
        data={
            "csrf_token": desk["csrf"],
            "comment": str(first),
            "digest": hidden(page.text, "digest"),
            "next": f"/drafter/drafts/{SLUG}/comments/{first}",
            "stance": "oppose" if note["stance"] != "oppose" else "support",
            "polarity": note["polarity"],
            "flags_sent": "1",
            "clause": note["bucket"],
            "cluster": note["cluster"],
        },
    )
    assert r.status_code == 303, r.text
    page = await client.get(r.headers["location"])
    assert "已保存更正" in page.text and "人工确认" in page.text
    history = page.text.split("更正记录", 1)[1]
    assert history.count("<tr>") == 2  # the header and one row: only the stance changed
    listing = await client.get(f"/drafter/drafts/{SLUG}/comments")
    assert "已人工更正" in listing.text
    # The moderation log says what was done in words, not as codes and JSON.
    names = {"support": "支持", "oppose": "反对", "suggest": "建议", "question": "疑问"}
    names["other"] = "其他"
    after = "oppose" if note["stance"] != "oppose" else "support"
    log = (await client.get(f"/drafter/drafts/{SLUG}/moderation")).text
    assert "更正意见" in log and f"立场：{names[note['stance']]} → {names[after]}" in log
    assert "correct_comment" not in log and "&#34;field&#34;" not in log


async def test_renaming_a_point_on_the_clause_page_and_splitting_it_on_its_own_page(client, desk):
    clause_page = await client.get(f"/drafter/drafts/{SLUG}/clause/{CLAUSE}")
    assert "整理这个观点" in clause_page.text and "机器建议" in clause_page.text
    d = await digest_json(client, desk)
    key = next(n["cluster"] for n in d["comments"] if n["id"] == desk["ids"][0])
    r = await point_form(
        client,
        desk,
        key,
        clause_page,
        action="rename",
        label="小区宽带垄断",
        next=f"/drafter/drafts/{SLUG}/clause/{CLAUSE}",
    )
    assert r.status_code == 303, r.text
    clause_page = await client.get(f"/drafter/drafts/{SLUG}/clause/{CLAUSE}")
    assert "小区宽带垄断" in clause_page.text and "人工确认" in clause_page.text
    point = await client.get(f"/drafter/drafts/{SLUG}/points/{key}")
    assert point.status_code == 200 and "拆分" in point.text
    r = await point_form(
        client,
        desk,
        key,
        point,
        action="split",
        members=str(desk["ids"][2]),
        label="网速慢",
        next=f"/drafter/drafts/{SLUG}/points/{key}",
    )
    assert r.status_code == 303, r.text
    d = await digest_json(client, desk)
    labels = {c["label"] for s in d["sections"] for c in s["clusters"]}
    assert {"小区宽带垄断", "网速慢"} <= labels
    markdown = (await client.get(f"/api/drafts/{SLUG}/digest.md", headers=desk["me"].bearer)).text
    assert "小区宽带垄断" in markdown and "人工确认" in markdown


async def test_a_form_built_on_a_digest_replaced_since_is_refused_and_nothing_changes(client, desk):
    page = await client.get(f"/drafter/drafts/{SLUG}/comments/{desk['ids'][3]}")
    token = hidden(page.text, "digest")
    await client.post(
        f"/api/drafts/{SLUG}/comments", json={"clause": CLAUSE, "body": "又一条新意见，支持。"}
    )
    await digest_json(client, desk)  # someone else's page recomputed the digest meanwhile
    r = await client.post(
        f"/drafter/drafts/{SLUG}/corrections",
        data={
            "csrf_token": desk["csrf"],
            "comment": str(desk["ids"][3]),
            "digest": token,
            "stance": "other",
        },
    )
    assert r.status_code == 409
    listed = await client.get(f"/api/drafts/{SLUG}/corrections", headers=desk["me"].bearer)
    assert listed.json()["corrections"] == []


async def test_corrections_need_the_csrf_token_and_a_known_comment(client, desk):
    r = await client.post(
        f"/drafter/drafts/{SLUG}/corrections",
        data={"comment": str(desk["ids"][0]), "stance": "oppose"},
    )
    assert r.status_code == 403
    r = await client.get(f"/drafter/drafts/{SLUG}/comments/99999")
    assert r.status_code == 404 and "没有这条意见" in r.text
    r = await client.get(f"/drafter/drafts/{SLUG}/points/no-such")
    assert r.status_code == 404


async def test_drafter_pages_mask_personal_data_until_revealed_and_the_reveal_is_audited(
    client, engine, desk
):
    from sqlmodel import Session

    from comments import storage

    phone, ident = "13812345678", "110101199003071234"
    r = await client.post(
        f"/api/drafts/{SLUG}/comments",
        json={
            "clause": CLAUSE,
            "body": f"我家电话 {phone}，身份证 {ident}，小区宽带太贵。",
            "name": "赵六",
            "contact": "zhao@example.cn",
        },
    )
    comment_id = r.json()["id"]
    for url in (
        f"/drafter/drafts/{SLUG}/comments",
        f"/drafter/drafts/{SLUG}/moderation",
        f"/drafter/drafts/{SLUG}/comments/{comment_id}",
    ):
        page = await client.get(url)
        assert page.status_code == 200, url
        assert phone not in page.text and ident not in page.text, url
        assert "zhao@example.cn" not in page.text, url
    r = await client.post(
        f"/drafter/drafts/{SLUG}/comments/{comment_id}/reveal", data={"csrf_token": desk["csrf"]}
    )
    assert r.status_code == 200 and phone in r.text and "zhao@example.cn" in r.text
    assert "已记入操作记录" in r.text
    with Session(engine) as session:
        rows = storage.audit_log(session, draft_slug=SLUG)
    assert any(
        row.action == "reveal_personal_data" and row.target == f"{SLUG}#{comment_id}"
        for row in rows
    )
    refused = await client.post(f"/drafter/drafts/{SLUG}/comments/{comment_id}/reveal")
    assert refused.status_code == 403


async def test_a_large_point_lists_its_members_a_page_at_a_time(client, engine):
    from sqlmodel import Session

    from comments.intake.receipts import new_receipts
    from comments.storage import corrections as stored
    from comments.storage.models import Comment
    from comments.web.drafter.corrections import MEMBERS_PAGE

    draft = add_draft(engine, organisation=ORG)
    count = 2 * MEMBERS_PAGE + 50
    with Session(engine) as session:
        rows = [
            Comment(draft_id=draft.id, clause_key=CLAUSE, receipt=r, body=f"{BODIES[i % 5]}（{i}）")
            for i, r in enumerate(new_receipts(count))
        ]
        session.add_all(rows)
        session.flush()
        point = stored.new_point(session, draft_id=draft.id, bucket=CLAUSE, label="宽带", actor="t")
        stored.set_members(session, point, [c.id for c in rows])
        session.commit()
        ids, key = [c.id for c in rows], point.key
    await log_in(client, make_account(engine, "起草人", ORG))
    url = f"/drafter/drafts/{SLUG}/points/{key}"

    def listed(html: str) -> list[int]:
        return [int(m) for m in re.findall(r'name="members" value="(\d+)"', html)]

    first = await client.get(url)
    assert first.status_code == 200 and f"成员（{count}）" in first.text
    assert listed(first.text) == ids[:MEMBERS_PAGE]
    assert "第 1 / 3 页" in first.text and 'href="?page=2"' in first.text
    last = await client.get(f"{url}?page=3")
    assert listed(last.text) == ids[2 * MEMBERS_PAGE :]
    assert 'href="?page=2"' in last.text and "?page=4" not in last.text
    assert f'value="{url}?page=3"' in last.text  # the split form comes back to this page
    beyond = await client.get(f"{url}?page=99")
    assert listed(beyond.text) == listed(last.text)


# -- hostile input: ids beyond any row, names and reasons of invisible text, impossible dates

HUGE = [2**63, 2**70, 10**30]


def rows(engine, model) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model)))


async def test_ids_beyond_any_row_are_not_found_not_a_server_error(client, engine, desk):
    for huge in HUGE:
        r = await client.post(
            f"/api/drafts/{SLUG}/corrections",
            json={"comment": huge, "stance": "oppose"},
            headers=desk["me"].bearer,
        )
        assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_comment"
        for path in (f"comments/{huge}", f"messages/{huge}", f"comments/-{huge}"):
            page = await client.get(f"/drafter/drafts/{SLUG}/{path}")
            assert page.status_code == 400 and "编号不正确" in page.text, path
        r = await client.post(
            f"/drafter/drafts/{SLUG}/moderation",
            data={"csrf_token": desk["csrf"], "comment_id": str(huge), "action": "hide",
                  "reason": "测试"},
        )  # fmt: skip
        assert r.status_code == 400 and "编号不正确" in r.text
    # the connection is still good, and nothing changed
    ok = await client.get(f"/drafter/drafts/{SLUG}/comments/{desk['ids'][0]}")
    assert ok.status_code == 200
    assert rows(engine, Correction) == []


@pytest.mark.parametrize("label", ["\u200b\u3164", "   ", "\x00", 42])
async def test_a_point_name_of_invisible_text_is_refused(client, engine, desk, label):
    digest = (await client.get(f"/api/drafts/{SLUG}/digest", headers=desk["me"].bearer)).json()
    point = next(c["id"] for s in digest["sections"] for c in s["clusters"])
    r = await client.post(
        f"/api/drafts/{SLUG}/corrections",
        json={"cluster": point, "label": label},
        headers=desk["me"].bearer,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_label"
    assert rows(engine, Correction) == []


async def test_a_point_name_is_stored_without_control_characters(client, engine, desk):
    digest = (await client.get(f"/api/drafts/{SLUG}/digest", headers=desk["me"].bearer)).json()
    point = next(c["id"] for s in digest["sections"] for c in s["clusters"])
    r = await client.post(
        f"/api/drafts/{SLUG}/corrections",
        json={"cluster": point, "label": "宽带\x00垄断\u200b问题"},
        headers=desk["me"].bearer,
    )
    assert r.status_code == 201, r.text
    digest = (await client.get(f"/api/drafts/{SLUG}/digest", headers=desk["me"].bearer)).json()
    labels = [c["label"] for s in digest["sections"] for c in s["clusters"]]
    assert "宽带垄断问题" in labels


async def test_a_decision_reason_of_invisible_text_is_missing(client, engine, desk):
    r = await client.post(
        f"/drafter/drafts/{SLUG}/decisions",
        data={"csrf_token": desk["csrf"], "target_kind": "comment",
              "target_id": str(desk["ids"][0]), "outcome": "采纳", "reason": " \u200b\n\u3164 "},
    )  # fmt: skip
    assert r.status_code == 400 and "请填写处理理由" in r.text
    assert rows(engine, Decision) == []


async def test_an_impossible_date_is_called_so(client, engine, desk):
    before = len(rows(engine, AuditLog))
    r = await client.post(
        f"/drafter/drafts/{SLUG}/period",
        data={"csrf_token": desk["csrf"], "action": "extend", "deadline": "2030-02-30"},
    )
    assert r.status_code == 400 and "2030-02-30 不是存在的日期" in r.text
    r = await client.post(
        f"/drafter/drafts/{SLUG}/period",
        data={"csrf_token": desk["csrf"], "action": "extend", "deadline": "明年"},
    )
    assert r.status_code == 400 and "格式不正确，应为 YYYY-MM-DD" in r.text
    assert len(rows(engine, AuditLog)) == before


@pytest.mark.parametrize("value", ["maybe", "", "true"])
async def test_a_review_form_with_a_value_it_never_sends_is_refused(client, engine, desk, value):
    d = await digest_json(client, desk)
    key = next(n["cluster"] for n in d["comments"] if n["id"] == desk["ids"][0])
    page = await client.get(f"/drafter/drafts/{SLUG}/clause/{CLAUSE}")
    r = await point_form(client, desk, key, page, action="reviewed", reviewed=value)
    assert r.status_code == 400 and "已审阅" in r.text
    assert rows(engine, Correction) == []


async def test_the_correction_history_and_decisions_show_the_services_time_zone(
    client, engine, desk
):
    from zoneinfo import ZoneInfo

    d = await digest_json(client, desk)
    key = next(n["cluster"] for n in d["comments"] if n["id"] == desk["ids"][0])
    page = await client.get(f"/drafter/drafts/{SLUG}/clause/{CLAUSE}")
    r = await point_form(client, desk, key, page, action="rename", label="宽带垄断")
    assert r.status_code == 303
    [row] = rows(engine, Correction)
    local = row.created_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    utc = row.created_at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M")
    assert local != utc  # Shanghai is UTC+8
    point = (await client.get(f"/drafter/drafts/{SLUG}/points/{key}")).text
    assert f"<td>{local}</td>" in point and f"<td>{utc}</td>" not in point


async def test_a_merge_or_split_on_the_pages_says_what_became_of_the_point_and_its_decision(
    client, engine, desk
):
    ids = desk["ids"]
    d = await digest_json(client, desk)
    broadband = next(n["cluster"] for n in d["comments"] if n["id"] == ids[0])
    page = await client.get(f"/drafter/drafts/{SLUG}/points/{broadband}")
    # Split one comment out: the page links to the new point.
    r = await point_form(
        client,
        desk,
        broadband,
        page,
        action="split",
        members=str(ids[2]),
        label="网速慢",
        next=f"/drafter/drafts/{SLUG}/points/{broadband}",
    )
    assert r.status_code == 303 and "new=" in r.headers["location"]
    after = await client.get(r.headers["location"])
    link = re.search(r'<a href="(/drafter/drafts/[^"]+)">打开拆出的新观点</a>', after.text)
    assert link and "已保存" in after.text
    new_key = unquote(link.group(1).rsplit("/points/", 1)[1])
    cluster_decision(
        engine, SLUG, new_key, [ids[2]], clause=CLAUSE, outcome="采纳", reason="已要求提速。"
    )
    # The point page shows the decision and warns before a merge.
    point = await client.get(f"/drafter/drafts/{SLUG}/points/{new_key}")
    assert "当前决定" in point.text and "已要求提速。" in point.text
    assert "这个观点已有决定（采纳）" in point.text
    r = await point_form(
        client,
        desk,
        new_key,
        point,
        action="merge",
        merge_into=broadband,
        next=f"/drafter/drafts/{SLUG}/clause/{CLAUSE}",
    )
    assert r.status_code == 303 and "decision=moved" in r.headers["location"]
    clause = await client.get(r.headers["location"])
    assert "被并入观点的处理决定已成为合并后观点的决定" in clause.text
    # The old point's address leads to the point it joined, whose history shows the merge.
    old = await client.get(f"/drafter/drafts/{SLUG}/points/{new_key}")
    assert old.status_code == 303
    joined = await client.get(old.headers["location"])
    assert "您打开的观点已并入这个观点。" in joined.text
    assert "并入“" in joined.text and "“网速慢”" in joined.text


async def test_an_error_in_the_workspace_leads_back_to_the_workspace_not_the_public_list(
    client, desk
):
    path = quote(f"/drafter/drafts/{SLUG}/clause/{CLAUSE}")  # browsers send it encoded
    came_from = f"http://testserver{path}"
    r = await client.get(
        f"/drafter/drafts/{SLUG}/points/{CLAUSE}:c999", headers={"referer": came_from}
    )
    assert r.status_code == 404 and "没有找到这个观点。" in r.text
    assert f'<a href="{path}">返回上一页</a>' in r.text
    assert f'<a href="/drafter/drafts/{SLUG}">返回工作区</a>' in r.text
    assert "返回全部草案" not in r.text
    # Another site's page is not offered as the way back.
    r = await client.get(
        f"/drafter/drafts/{SLUG}/points/x", headers={"referer": "http://evil.example/drafter/x"}
    )
    assert "返回上一页" not in r.text and "返回工作区" in r.text
    public = await client.get("/drafts/nope")
    assert public.status_code == 404 and "返回全部草案" in public.text


async def campaign(client, copies: int = 4) -> list[int]:
    """One letter sent from ``copies`` addresses: a campaign; its comment ids."""
    letter = "大力支持本条，建议尽快出台配套细则，明确审批流程和办理时限。"
    ids = []
    for i in range(copies):
        r = await client.post(
            f"/api/drafts/{SLUG}/comments",
            json={"clause": CLAUSE, "body": letter},
            headers={"x-forwarded-for": f"10.0.0.{i + 1}"},
        )
        ids.append(r.json()["id"])
    return ids


async def test_stances_proposed_from_a_correction_are_counted_and_listed(client, engine, desk):
    ids = desk["ids"]
    # A campaign: the same letter four times; correcting one proposes the others' stance.
    copies = await campaign(client)
    r = await client.post(
        f"/api/drafts/{SLUG}/corrections",
        json={"comment": copies[0], "stance": "oppose"},
        headers=desk["me"].bearer,
    )
    assert r.status_code == 201
    page = await client.get(f"/drafter/drafts/{SLUG}/comments/{copies[0]}?done=1")
    assert "分析据人工更正推定了" in page.text and "source=neighbour" in page.text
    listed = await client.get(f"/drafter/drafts/{SLUG}/comments?source=neighbour")
    assert listed.status_code == 200 and "立场来源：据相似意见推定" in listed.text
    for other in copies[1:]:
        assert f"#{other}" in listed.text
    assert f"#{ids[0]}" not in listed.text and f"#{copies[0]}" not in listed.text
    digest = await client.get(f"/drafter/drafts/{SLUG}/digest")
    assert "人工确认 1 条" in digest.text and "据相似意见推定 3 条" in digest.text
    bad = await client.get(f"/drafter/drafts/{SLUG}/comments?source=guess")
    assert bad.status_code == 400 and "立场来源只能是" in bad.text


async def test_a_points_page_tags_the_copies_of_a_campaign(client, desk):
    copies = await campaign(client)
    d = await digest_json(client, desk)
    key = next(n["cluster"] for n in d["comments"] if n["id"] == copies[0])
    page = (await client.get(f"/drafter/drafts/{SLUG}/points/{key}")).text
    rows = re.findall(r'<li class="member">(.*?)</li>', page, re.S)
    tagged = [r for r in rows if '<span class="tag">批量提交</span>' in r]
    assert len(tagged) == len(copies)
    assert all(f'value="{c}"' in "".join(tagged) for c in copies)
