"""From comment to public feedback: moderation, decisions, overrides, receipts, exports."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlmodel import Session, select

from comments import storage
from comments.storage import decisions, review
from comments.storage.models import AuditLog, Comment, Decision, FeedbackPublication
from tests.conftest import add_draft
from tests.drafter_helpers import (  # noqa: F401
    ORG,
    cluster_decision,
    fast_password_hashing,
    log_in,
    make_account,
    publish_feedback,
)

pytestmark = pytest.mark.anyio

SLUG = "tingche"


@pytest.fixture
async def workspace(client, engine):
    own = make_account(engine, "own", ORG)
    add_draft(engine, organisation=ORG)
    receipts = []
    for clause, body, name, show in [
        ("第一章/第一条", "建议明确适用于老旧小区。", "张三", True),
        ("第一章/第一条", "老旧小区也应适用本办法，联系 13800001111。", "李四", False),
        ("第一章/第二条/第二款", "收费标准应当公示。", "", False),
    ]:
        r = await client.post(
            f"/api/drafts/{SLUG}/comments",
            json={"clause": clause, "body": body, "name": name, "show_name": show},
        )
        assert r.status_code == 201
        receipts.append(r.json())
    csrf = await log_in(client, own)
    # The comment with a phone number is held for moderation at intake; the drafter publishes it
    # (its number stays masked on every public page).
    held = [
        c
        for c in receipts
        if (await client.get(f"/api/receipts/{c['receipt']}")).json()["status"] == "pending"
    ]
    assert [c["id"] for c in held] == [receipts[1]["id"]]
    r = await client.post(
        f"/drafter/drafts/{SLUG}/moderation",
        data={
            "csrf_token": csrf,
            "comment_id": str(held[0]["id"]),
            "action": "publish",
            "reason": "意见正常，号码公开时遮盖",
        },
    )
    assert r.status_code == 303
    return {"csrf": csrf, "comments": receipts}


async def decide(client, csrf, **data):
    return await client.post(f"/drafter/drafts/{SLUG}/decisions", data={"csrf_token": csrf, **data})


def group_decision(engine, members, outcome="部分采纳", reason="已在第一条中增加老旧小区。"):
    """A decision on a group of comments, as a cluster decision stores it."""
    return cluster_decision(
        engine,
        SLUG,
        "第一章/第一条:c1",
        members,
        clause="第一章/第一条",
        label="老旧小区 · 适用范围",
        outcome=outcome,
        reason=reason,
    )


async def test_decision_on_a_comment_reaches_its_receipt_and_the_public_report_once_published(
    client, engine, workspace
):
    first = workspace["comments"][0]
    before = await client.get(f"/receipts/{first['receipt']}")
    assert "处理情况" in before.text and "正在研究" in before.text
    assert (await client.get(f"/drafts/{SLUG}/feedback")).status_code == 404
    r = await decide(
        client,
        workspace["csrf"],
        target_kind="comment",
        target_id=str(first["id"]),
        outcome="采纳",
        reason="已在第一条中明确适用于老旧小区。",
    )
    assert r.status_code == 303
    # Recorded, not yet published: the public sees none of it.
    internal = await client.get(f"/receipts/{first['receipt']}")
    assert "已在第一条中明确适用于老旧小区。" not in internal.text
    assert "尚未发布意见采纳情况" in internal.text
    assert (await client.get(f"/drafts/{SLUG}/feedback")).status_code == 404
    assert (await publish_feedback(client, workspace["csrf"], SLUG)).status_code == 303
    receipt = await client.get(f"/receipts/{first['receipt']}")
    assert "采纳" in receipt.text and "已在第一条中明确适用于老旧小区。" in receipt.text
    report = await client.get(f"/drafts/{SLUG}/feedback")
    assert report.status_code == 200
    assert "第一条" in report.text and "已在第一条中明确适用于老旧小区。" in report.text
    assert "张三" not in report.text and "13800001111" not in report.text
    with Session(engine) as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "decide")).one()
    assert audit.actor == "own" and "采纳" in audit.detail


async def test_cluster_decision_applies_to_members_and_a_member_can_be_overridden(
    client, engine, app, workspace
):
    ids = [c["id"] for c in workspace["comments"][:2]]
    group_decision(engine, ids)
    with Session(engine) as session:
        first, second = (session.get(Comment, i) for i in ids)
        assert decisions.decision_for_comment(session, first).outcome == "部分采纳"
        assert decisions.decision_for_comment(session, second).label == "老旧小区 · 适用范围"
    r = await decide(
        client,
        workspace["csrf"],
        target_kind="comment",
        target_id=str(ids[1]),
        outcome="不予采纳",
        reason="联系方式不属于草案内容。",
    )
    assert r.status_code == 303
    with Session(engine) as session:
        first, second = (session.get(Comment, i) for i in ids)
        assert decisions.decision_for_comment(session, first).outcome == "部分采纳"
        assert decisions.decision_for_comment(session, second).outcome == "不予采纳"
        draft = storage.draft_by_slug(session, SLUG)
        digest = app.state.comments.digests.get(draft).digest
        report = decisions.feedback_report(session, draft.id, digest)
        snapshot = decisions.feedback_snapshot(session, draft.id, digest)
    # The overridden member counts once, under its own decision: no figure counts it twice.
    assert report.by_outcome == {"部分采纳": (1, 1), "不予采纳": (1, 1)}
    # ... and the group's decision says so where the drafters see it.
    assert snapshot.overridden == {("cluster", "第一章/第一条:c1"): 1}
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    block = page.split('id="t-cluster-第一章/第一条:c1"')[1].split('class="cluster"')[0]
    assert "其中 1 条另有适用的决定" in block
    [clause] = report.clauses
    # A single comment's decision is named by the comment's opening words (never an
    # internal number the public cannot look up), masked.
    assert sorted((i.label, i.comments, i.outcome) for i in clause.items) == [
        ("老旧小区 · 适用范围", 1, "部分采纳"),
        ("老旧小区也应适用本办法", 1, "不予采纳"),
    ]


async def test_changing_a_decision_replaces_it_and_keeps_the_history_in_the_audit_log(
    client, engine, workspace
):
    target = str(workspace["comments"][2]["id"])
    for outcome in ("另行研究", "采纳"):
        r = await decide(
            client,
            workspace["csrf"],
            target_kind="comment",
            target_id=target,
            outcome=outcome,
            reason="理由",
        )
        assert r.status_code == 303
    with Session(engine) as session:
        rows = session.exec(select(Decision)).all()
        audit = session.exec(select(AuditLog).where(AuditLog.action == "decide")).all()
    assert [(d.outcome, d.target_id) for d in rows] == [("采纳", target)]
    assert len(audit) == 2 and "另行研究" in audit[1].detail


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"target_kind": "comment", "target_id": "1", "outcome": "同意", "reason": "x"},
            "处理结果只能是",
        ),
        (
            {"target_kind": "comment", "target_id": "1", "outcome": "", "reason": "x"},
            "请选择处理结果",
        ),
        ({"target_kind": "comment", "target_id": "1", "reason": "x"}, "请选择处理结果"),
        (
            {"target_kind": "comment", "target_id": "1", "outcome": "采纳", "reason": "  "},
            "请填写处理理由",
        ),
        (
            {"target_kind": "comment", "target_id": "1", "outcome": "采纳", "reason": "长" * 2001},
            "不能超过",
        ),
        (
            {"target_kind": "comment", "target_id": "abc", "outcome": "采纳", "reason": "x"},
            "编号不正确",
        ),
        (
            {"target_kind": "comment", "target_id": "999", "outcome": "采纳", "reason": "x"},
            "没有这条意见",
        ),
        (
            {"target_kind": "whatever", "target_id": "1", "outcome": "采纳", "reason": "x"},
            "处理对象只能是",
        ),
    ],
)
async def test_bad_decisions_are_refused_with_a_clear_message_and_store_nothing(
    client, engine, workspace, data, message
):
    r = await decide(client, workspace["csrf"], **data)
    assert r.status_code in (400, 404)
    assert message in r.text
    with Session(engine) as session:
        assert session.exec(select(Decision)).all() == []


async def test_hiding_a_comment_keeps_it_and_records_who_and_why(client, engine, workspace):
    target = workspace["comments"][1]
    r = await client.post(
        f"/drafter/drafts/{SLUG}/moderation",
        data={
            "csrf_token": workspace["csrf"],
            "comment_id": str(target["id"]),
            "action": "hide",
            "reason": "含个人电话",
        },
    )
    assert r.status_code == 303
    with Session(engine) as session:
        comment = session.get(Comment, target["id"])
        audit = session.exec(select(AuditLog).where(AuditLog.action == "hide_comment")).one()
    assert comment is not None and comment.status == "hidden"
    assert (
        audit.actor == "own" and "含个人电话" in audit.detail and target["receipt"] in audit.detail
    )
    queue = await client.get(f"/drafter/drafts/{SLUG}/moderation")
    assert "已隐藏（1）" in queue.text and "含个人电话" in queue.text
    # Its receipt does not promise a result it will never get.
    receipt = (await client.get(f"/receipts/{target['receipt']}")).text
    assert "未予公开，不计入公开的意见采纳情况" in receipt and "正在研究" not in receipt


async def test_pending_comments_wait_in_the_queue_until_published(client, engine, workspace):
    target = workspace["comments"][2]["id"]
    with Session(engine) as session:
        comment = session.get(Comment, target)
        comment.status = "pending"
        session.add(comment)
        session.commit()
    queue = await client.get(f"/drafter/drafts/{SLUG}/moderation")
    assert "待审核（1）" in queue.text and "收费标准应当公示。" in queue.text
    r = await client.post(
        f"/drafter/drafts/{SLUG}/moderation",
        data={
            "csrf_token": workspace["csrf"],
            "comment_id": str(target),
            "action": "publish",
            "reason": "内容正常",
        },
    )
    assert r.status_code == 303
    queue = await client.get(f"/drafter/drafts/{SLUG}/moderation")
    assert "待审核（0）" in queue.text


@pytest.mark.parametrize(
    "data,message",
    [
        ({"comment_id": "1", "action": "delete", "reason": "x"}, "处理方式只能是"),
        ({"comment_id": "1", "action": "hide", "reason": ""}, "请填写处理理由"),
        ({"comment_id": "999", "action": "hide", "reason": "x"}, "没有这条意见"),
        ({"comment_id": "x", "action": "hide", "reason": "x"}, "编号不正确"),
    ],
)
async def test_bad_moderation_is_refused_and_changes_nothing(
    client, engine, workspace, data, message
):
    r = await client.post(
        f"/drafter/drafts/{SLUG}/moderation", data={"csrf_token": workspace["csrf"], **data}
    )
    assert r.status_code in (400, 404)
    assert message in r.text
    with Session(engine) as session:
        assert {c.status for c in session.exec(select(Comment))} == {"published"}


async def test_drafters_csv_has_bom_personal_data_and_decisions(client, engine, workspace):
    group_decision(engine, [c["id"] for c in workspace["comments"][:2]])
    r = await client.get(f"/drafter/drafts/{SLUG}/export/comments.csv")
    assert r.status_code == 200
    assert r.content.startswith("\ufeff".encode())
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["姓名或单位"] for row in rows] == ["张三", "李四", ""]
    assert rows[1]["处理结果"] == "部分采纳" and rows[2]["处理结果"] == ""
    assert "13800001111" in rows[1]["意见内容"]


async def test_drafters_json_export_lists_every_comment_with_personal_data(client, workspace):
    r = await client.get(f"/drafter/drafts/{SLUG}/export/comments.json")
    data = json.loads(r.text)
    assert data["personal_data"] is True and data["count"] == 3
    assert data["comments"][1]["name"] == "李四"


async def test_csv_cells_that_look_like_formulas_stay_text(client, engine, workspace):
    await client.post(
        f"/api/drafts/{SLUG}/comments", json={"clause": None, "body": '=HYPERLINK("x")'}
    )
    r = await client.get(f"/drafter/drafts/{SLUG}/export/comments.csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[-1]["意见内容"] == '\'=HYPERLINK("x")'
    assert rows[-1]["条款"] == "（总体意见）"


async def test_unknown_export_name_is_404(client, workspace):
    r = await client.get(f"/drafter/drafts/{SLUG}/export/everything.zip")
    assert r.status_code == 404 and "没有这种导出格式" in r.text


async def test_a_script_fetching_an_export_with_its_token_gets_errors_as_json(
    client, engine, workspace
):
    script = make_account(engine, "脚本", ORG)
    ok = await client.get(f"/drafter/drafts/{SLUG}/export/comments.csv", headers=script.bearer)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/csv")
    for url, headers, status, code in [
        (f"/drafter/drafts/{SLUG}/export/everything.zip", script.bearer, 404, "unknown_export"),
        (
            f"/drafter/drafts/{SLUG}/export/comments.csv",
            {"Authorization": "Bearer x"},
            401,
            "bad_token",
        ),
        ("/drafter/drafts/nope/export/comments.csv", script.bearer, 404, "not_found"),
    ]:
        r = await client.get(url, headers=headers)
        assert r.status_code == status and r.headers["content-type"] == "application/json"
        assert r.json()["error"]["code"] == code, r.text
    # A browser behind a proxy's Basic authentication sends Authorization on every request:
    # it still gets pages.
    basic = {"Authorization": "Basic dTpw"}
    for url in ("/drafts/nosuch", f"/drafter/drafts/{SLUG}/export/everything.zip"):
        r = await client.get(url, headers=basic)
        assert r.headers["content-type"].startswith("text/html"), url


async def test_one_comment_gets_one_decision_however_its_number_is_written(
    client, engine, workspace
):
    target = workspace["comments"][0]["id"]
    for written, outcome in [
        (str(target), "采纳"),
        (f"0{target}", "部分采纳"),
        (f"+{target}", "不予采纳"),
    ]:
        r = await decide(
            client,
            workspace["csrf"],
            target_kind="comment",
            target_id=written,
            outcome=outcome,
            reason="理由。",
        )
        assert r.status_code == 303
    with Session(engine) as session:
        stored = [
            d
            for d in review.decisions_of(session, storage.draft_by_slug(session, SLUG).id)
            if d.target_kind == "comment"
        ]
    assert [(d.target_id, d.outcome) for d in stored] == [(str(target), "不予采纳")]


def decision_forms(html: str) -> list[dict[str, str]]:
    """The cluster and suggestion decision forms of a page: kind, id and digest token."""
    import re

    return [
        {"target_kind": m[0], "target_id": m[1], "digest": m[2]}
        for m in re.findall(
            r'name="target_kind" value="(cluster|suggestion)">\s*'
            r'<input type="hidden" name="target_id" value="([^"]+)">\s*'
            r'<input type="hidden" name="digest" value="([^"]*)">',
            html,
        )
    ]


async def test_a_group_decision_applies_to_the_digest_the_drafter_saw_or_is_refused(
    client, engine, workspace
):
    async def new_comment(body: str) -> int:
        r = await client.post(
            f"/api/drafts/{SLUG}/comments", json={"clause": "第一章/第一条", "body": body}
        )
        assert r.status_code == 201
        return r.json()["id"]

    async def forms() -> list[dict[str, str]]:
        found = decision_forms((await client.get(f"/drafter/drafts/{SLUG}/decisions")).text)
        assert found and all(f["digest"] for f in found)
        return found

    seen = (await forms())[0]
    late = await new_comment("同意老旧小区适用。")  # arrives after the page was built
    r = await decide(client, workspace["csrf"], outcome="采纳", reason="已采纳。", **seen)
    assert r.status_code == 303  # for the members shown on the page, not the late comment
    with Session(engine) as session:
        assert decisions.decision_for_comment(session, session.get(Comment, late)) is None
        [stored] = session.exec(select(Decision)).all()
    assert (stored.target_kind, stored.target_id) == (seen["target_kind"], seen["target_id"])
    # A page built on an older digest than the one the service now keeps: refused, not guessed.
    old = (await forms())[0]
    await new_comment("老旧小区也要管。")
    assert (await forms())[0]["digest"] != old["digest"]  # the service recomputed
    stale = await decide(client, workspace["csrf"], outcome="不予采纳", reason="不采纳。", **old)
    assert stale.status_code == 409
    assert "汇总分析已经更新" in stale.text
    with Session(engine) as session:
        assert [d.outcome for d in session.exec(select(Decision)).all()] == ["采纳"]


async def test_every_digest_page_shows_progress_while_a_long_analysis_runs(
    client, app, workspace, monkeypatch
):
    import time

    import comments.web.drafter.common as drafter_common

    monkeypatch.setattr(drafter_common, "SYNC_LIMIT", 0)  # every digest goes to the background
    service = app.state.comments.digests
    real = service.compute

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "compute", slow)
    await client.post(f"/api/drafts/{SLUG}/comments", json={"body": "总体支持。"})  # now stale
    urls = [
        f"/drafter/drafts/{SLUG}/comments?stance=support",
        f"/drafter/drafts/{SLUG}/decisions",
        f"/drafter/drafts/{SLUG}/export/digest.md",
        f"/drafter/drafts/{SLUG}/export/feedback.md",
    ]
    for url in urls:
        r = await client.get(url)
        assert r.status_code == 200 and "正在汇总分析" in r.text, url
    service.close()  # wait for the background analysis
    listing = await client.get(urls[0])
    assert "正在汇总分析" not in listing.text and "总体支持" in listing.text
    assert "target_kind" in (await client.get(urls[1])).text
    download = await client.get(urls[2])
    assert download.headers["content-disposition"].endswith('-digest.md"')


async def test_feedback_page_and_feedback_md_count_the_same_comments(client, engine, workspace):
    ids = [c["id"] for c in workspace["comments"][:2]]
    group_decision(engine, ids, reason="已在第一条中增加老旧小区。")
    # One member is hidden afterwards and another comment arrives on the clause: both reports
    # count the published comments the decision was recorded for, and nothing else.
    r = await client.post(
        f"/drafter/drafts/{SLUG}/moderation",
        data={
            "csrf_token": workspace["csrf"],
            "comment_id": str(ids[1]),
            "action": "hide",
            "reason": "重复提交",
        },
    )
    assert r.status_code == 303
    await client.post(
        f"/api/drafts/{SLUG}/comments", json={"clause": "第一章/第一条", "body": "老旧小区也要管。"}
    )
    assert (await publish_feedback(client, workspace["csrf"], SLUG)).status_code == 303
    page = (await client.get(f"/drafts/{SLUG}/feedback")).text
    markdown = (await client.get(f"/drafts/{SLUG}/feedback.md")).text
    # Both show the point as decided on, counting its one comment still published.
    assert re.search(
        r'<td role="cell" class="lead">[^<]*老旧小区[^<]*</td>'
        r'<td role="cell" class="num" data-label="意见数">1</td>',
        page,
    )
    assert re.search(r"\| 1 \| [^|]*老旧小区[^|]* \| 1 \| 部分采纳 \|", markdown)
    assert "| 部分采纳 | 1 | 1 |" in markdown


async def test_recorded_decisions_stay_internal_until_the_office_publishes_them(
    client, engine, workspace
):
    first, second, third = workspace["comments"]
    group_decision(engine, [first["id"], second["id"]], reason="已在第一条中增加老旧小区。")
    r = await decide(
        client,
        workspace["csrf"],
        target_kind="comment",
        target_id=str(third["id"]),
        outcome="另行研究",
        reason="收费公示在配套文件中研究。",
    )
    assert r.status_code == 303
    # Not one public surface shows a recorded decision before publication.
    for path in (f"/drafts/{SLUG}/feedback", f"/drafts/{SLUG}/feedback.md"):
        r = await client.get(path)
        assert r.status_code == 404 and "尚未发布意见采纳情况" in r.text, path
    assert (await client.get(f"/drafts/{SLUG}/feedback.docx")).status_code == 404
    for c in workspace["comments"]:
        receipt = (await client.get(f"/receipts/{c['receipt']}")).text
        assert "尚未发布意见采纳情况" in receipt and "已在第一条中增加老旧小区" not in receipt
    public = await client.get(f"/drafter/drafts/{SLUG}/export/public-comments.csv")
    rows = list(csv.DictReader(io.StringIO(public.content.decode("utf-8-sig"))))
    assert {row["处理结果"] for row in rows} == {""}
    assert 'href="/drafts/tingche/feedback"' not in (await client.get(f"/drafts/{SLUG}")).text
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    assert "尚未发布。" in page and "发布采纳情况" in page
    overview = (await client.get(f"/drafter/drafts/{SLUG}")).text
    assert "2 项</a> · 尚未发布" in overview and 'href="/drafts/tingche/feedback"' not in overview
    # The drafters' own export shows what they recorded.
    private = await client.get(f"/drafter/drafts/{SLUG}/export/comments.csv")
    assert "部分采纳" in private.content.decode("utf-8-sig")

    r = await publish_feedback(client, workspace["csrf"], SLUG)
    assert r.status_code == 303 and r.headers["location"].endswith("/decisions?published=1")
    assert "已发布意见采纳情况（第 1 次发布）" in (await client.get(r.headers["location"])).text
    report = (await client.get(f"/drafts/{SLUG}/feedback")).text
    assert "已在第一条中增加老旧小区。" in report and "收费公示在配套文件中研究。" in report
    receipt = (await client.get(f"/receipts/{first['receipt']}")).text
    assert "部分采纳" in receipt and "已在第一条中增加老旧小区。" in receipt
    rows = list(
        csv.DictReader(
            io.StringIO(
                (
                    await client.get(f"/drafter/drafts/{SLUG}/export/public-comments.csv")
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert [row["处理结果"] for row in rows] == ["部分采纳", "部分采纳", "另行研究"]
    assert 'href="/drafts/tingche/feedback"' in (await client.get(f"/drafts/{SLUG}")).text
    overview = (await client.get(f"/drafter/drafts/{SLUG}")).text
    assert '已发布 1 次：<a href="/drafts/tingche/feedback">' in overview


async def test_each_publication_is_kept_and_audited_and_changes_wait_for_the_next_one(
    client, engine, workspace
):
    target = str(workspace["comments"][2]["id"])

    async def decide_fee(outcome: str, reason: str) -> None:
        r = await decide(
            client,
            workspace["csrf"],
            target_kind="comment",
            target_id=target,
            outcome=outcome,
            reason=reason,
        )
        assert r.status_code == 303

    await decide_fee("另行研究", "收费公示另行研究。")
    assert (await publish_feedback(client, workspace["csrf"], SLUG)).status_code == 303
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    assert "公开的意见采纳情况与当前决定一致（第 1 次发布" in page
    # Publishing again with nothing changed says so and stores nothing.
    again = await publish_feedback(client, workspace["csrf"], SLUG)
    assert again.status_code == 409 and "无需重新发布" in again.text

    await decide_fee("采纳", "已增加收费公示的规定。")
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    assert "有未发布的改动" in page and "1 项决定新增、修改或不再计入" in page
    public = (await client.get(f"/drafts/{SLUG}/feedback")).text
    assert "收费公示另行研究。" in public and "已增加收费公示的规定。" not in public
    receipt = (await client.get(f"/receipts/{workspace['comments'][2]['receipt']}")).text
    assert "另行研究" in receipt and "已增加收费公示的规定。" not in receipt

    assert (await publish_feedback(client, workspace["csrf"], SLUG)).status_code == 303
    public = (await client.get(f"/drafts/{SLUG}/feedback")).text
    assert "已增加收费公示的规定。" in public and "收费公示另行研究。" not in public
    assert "第 2 次更新" in public
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    assert re.search(r"第 2 次</td><td>[^<]+</td><td>own</td>.*第 1 次</td>", page, re.S)
    with Session(engine) as session:
        rows = session.exec(select(FeedbackPublication).order_by(FeedbackPublication.number)).all()
        audit = session.exec(select(AuditLog).where(AuditLog.action == "publish_feedback")).all()
    assert [(p.number, p.published_by, p.comments, p.decided, p.points) for p in rows] == [
        (1, "own", 3, 1, 1),
        (2, "own", 3, 1, 1),
    ]
    assert "收费公示另行研究。" in rows[0].report_json  # the first publication, as it was
    assert [json.loads(a.detail)["number"] for a in audit] == [1, 2]
    assert all(a.actor == "own" and a.target == SLUG for a in audit)


async def test_publishing_with_nothing_decided_is_refused_with_a_clear_message(
    client, engine, workspace
):
    r = await publish_feedback(client, workspace["csrf"], SLUG)
    assert r.status_code == 400 and "还没有任何采纳决定" in r.text
    with Session(engine) as session:
        assert session.exec(select(FeedbackPublication)).all() == []
        assert (
            session.exec(select(AuditLog).where(AuditLog.action == "publish_feedback")).all() == []
        )
    assert (await client.get(f"/drafts/{SLUG}/feedback")).status_code == 404


async def test_publishing_from_a_page_whose_figures_moved_since_is_refused(
    client, engine, workspace
):
    group_decision(engine, [c["id"] for c in workspace["comments"][:2]])
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    token = re.search(
        r'decisions/publish">\s*<input[^>]+>\s*<input type="hidden" name="digest" value="([^"]+)"',
        page,
    )
    assert token
    await client.post(f"/api/drafts/{SLUG}/comments", json={"clause": None, "body": "总体支持。"})
    r = await client.post(
        f"/drafter/drafts/{SLUG}/decisions/publish",
        data={"csrf_token": workspace["csrf"], "digest": token[1]},
    )
    assert r.status_code == 409 and "数字已经变了" in r.text
    with Session(engine) as session:
        assert session.exec(select(FeedbackPublication)).all() == []


async def test_publishing_is_for_the_drafters_of_the_draft_only(client, engine, workspace):
    group_decision(engine, [c["id"] for c in workspace["comments"][:2]])
    other = make_account(engine, "other", "市交通局")
    path = f"/drafter/drafts/{SLUG}/decisions/publish"
    assert (await client.post(path, headers=other.bearer)).status_code == 403
    assert (await client.post(path, data={"csrf_token": "forged"})).status_code == 403
    client.cookies.clear()
    assert (await client.post(path)).status_code == 401
    with Session(engine) as session:
        assert session.exec(select(FeedbackPublication)).all() == []


def outcome_selects(html: str) -> list[str]:
    return re.findall(r'<select id="[^"]*" name="outcome" required>(.*?)</select>', html, re.S)


async def test_decision_forms_start_with_no_outcome_chosen(client, engine, workspace):
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    selects = outcome_selects(page)
    assert len(selects) == len(decision_forms(page)) + 1  # and the one for a single comment
    for options in selects:
        assert re.findall(r"<option[^>]*selected[^>]*>([^<]*)<", options) == ["请选择"]
    clause = (await client.get(f"/drafter/drafts/{SLUG}/clause/第一章/第一条")).text
    for options in outcome_selects(clause):
        assert re.findall(r"<option[^>]*selected[^>]*>([^<]*)<", options) == ["请选择"]
    # A target's current decision is shown chosen, to change its reason.
    form = decision_forms(page)[0]
    r = await decide(client, workspace["csrf"], outcome="不予采纳", reason="不采纳。", **form)
    assert r.status_code == 303
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    chosen = [re.findall(r"<option[^>]*selected[^>]*>([^<]*)<", o) for o in outcome_selects(page)]
    assert ["不予采纳"] in chosen


async def test_the_points_still_without_a_decision_are_listed_per_clause(client, engine, workspace):
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    listing = page.split('id="h-open"')[1].split("</section>")[0]
    assert "还有 3 条意见没有任何决定" in listing
    assert "<h3>第一条</h3>" in listing and "<h3>第二条第二款</h3>" in listing
    assert "第一章/" not in re.sub(r'href="[^"]*"', "", listing)  # cited, not keyed
    forms = decision_forms(page)
    for form in forms:
        assert f'href="#t-{form["target_kind"]}-{form["target_id"]}"' in listing
        assert f'id="t-{form["target_kind"]}-{form["target_id"]}"' in page
    for form in forms:
        r = await decide(client, workspace["csrf"], outcome="采纳", reason="已采纳。", **form)
        assert r.status_code == 303
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    assert "每条已公开的意见都已有决定。" in page


async def test_a_refused_decision_shows_the_reason_typed_so_it_is_not_lost(client, workspace):
    reason = "这条意见涉及的条款已另行修改，\n具体见修改说明第三部分。"
    r = await decide(
        client,
        workspace["csrf"],
        target_kind="comment",
        target_id="99999",
        outcome="采纳",
        reason=reason,
    )
    assert r.status_code == 404
    assert "您填写的内容没有保存" in r.text
    assert f'<pre class="typed">{reason}</pre>' in r.text
    public = await client.post("/drafts/nosuch/comments", data={"body": "x"})
    assert "您填写的内容没有保存" not in public.text  # public pages keep their own form


async def test_the_decisions_page_can_list_only_what_is_still_to_decide(client, workspace):
    page = (await client.get(f"/drafter/drafts/{SLUG}/decisions")).text
    forms = decision_forms(page)
    assert len(forms) >= 2
    first, *rest = forms
    r = await decide(client, workspace["csrf"], outcome="采纳", reason="已采纳。", **first)
    assert r.status_code == 303
    full = decision_forms((await client.get(f"/drafter/drafts/{SLUG}/decisions")).text)
    assert [f["target_id"] for f in full] == [f["target_id"] for f in forms]
    short = (await client.get(f"/drafter/drafts/{SLUG}/decisions?open=1")).text
    shown = [f["target_id"] for f in decision_forms(short)]
    # The decided point is gone, and so is a suggestion all of whose comments it decided.
    assert first["target_id"] not in shown and shown
    assert set(shown) <= {f["target_id"] for f in rest}
    listing = short.split('id="h-open"')[1].split("</section>")[0]
    for target in shown:  # each one on the page is in the list of what is left to decide
        assert (
            f'href="#t-cluster-{target}"' in listing or f'href="#t-suggestion-{target}"' in listing
        )
    assert "列出全部" in short
