"""Public HTML pages: the draft clause by clause, the form without JavaScript, receipts."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from comments import period
from comments.web.security import csrf_pair
from tests.conftest import add_draft
from tests.helpers import comment_count, csrf_from, stored_comments

pytestmark = pytest.mark.anyio


async def test_index_lists_open_drafts_with_days_left_and_closed_ones_below(client, engine):
    add_draft(engine, slug="open-one", days_left=12)
    add_draft(engine, slug="old-one", days_left=-3)
    page = await client.get("/")
    assert page.status_code == 200
    html = page.text
    assert 'lang="zh-CN"' in html
    assert "还剩 12 天" in html
    open_part, closed_part = html.split("已结束征求意见")
    assert "/drafts/open-one" in open_part and "/drafts/old-one" not in open_part
    assert "/drafts/old-one" in closed_part


async def test_draft_page_shows_every_clause_with_an_anchor_count_and_comment_link(client, draft):
    await client.post(
        "/api/drafts/tingche/comments", json={"clause": "第一章/第一条", "body": "同意"}
    )
    html = (await client.get("/drafts/tingche")).text
    for key in ["序言", "第一章", "第一章/第一条", "第一章/第二条/第一款", "第一章/第二条/第二款"]:
        assert f'id="{key}"' in html
        assert f"/drafts/tingche/comment?clause={quote(key)}" in html
    assert "本办法适用于本市行政区域内住宅小区的停车管理。" in html
    assert 'aria-label="第一条 已有意见 1 条"' in html
    assert 'href="#第一章"' in html  # table of contents
    assert "截止" in html and "还剩 10 天" in html
    assert "对全文提意见" in html


async def test_comment_form_page_posts_and_redirects_to_the_receipt(client, draft, engine):
    form_page = await client.get("/drafts/tingche/comment", params={"clause": "第一章/第一条"})
    assert form_page.status_code == 200
    assert "本办法适用于本市行政区域内住宅小区的停车管理。" in form_page.text  # the clause quoted
    token = csrf_from(form_page.text)
    r = await client.post(
        "/drafts/tingche/comments",
        data={
            "csrf_token": token,
            "clause": "第一章/第一条",
            "body": "建议写明<b>老旧小区</b>。",
            "submitter_type": "企业",
            "name": "某物业公司",
        },
    )
    assert r.status_code == 303
    receipt_url = r.headers["location"]
    assert receipt_url.startswith("/receipts/")
    receipt = stored_comments(engine)[0].receipt
    assert receipt in receipt_url
    page = await client.get(receipt_url)
    assert page.status_code == 200
    assert receipt in page.text
    assert "建议写明&lt;b&gt;老旧小区&lt;/b&gt;。" in page.text
    assert "已提交并保存" in page.text
    assert "某物业公司" not in page.text  # the name is not shown publicly


async def test_form_post_without_csrf_token_is_refused_and_nothing_stored(client, draft, engine):
    await client.get("/drafts/tingche")  # sets the cookie
    r = await client.post("/drafts/tingche/comments", data={"body": "没有令牌"})
    assert r.status_code == 403
    r = await client.post(
        "/drafts/tingche/comments", data={"body": "伪造令牌", "csrf_token": "0" * 32}
    )
    assert r.status_code == 403
    assert comment_count(engine) == 0


async def test_form_with_empty_comment_comes_back_with_the_error_and_the_values_kept(
    client, draft, engine
):
    token = csrf_from((await client.get("/drafts/tingche")).text)
    r = await client.post(
        "/drafts/tingche/comments",
        data={"csrf_token": token, "clause": "第一章/第一条", "body": "  ", "region": "B区"},
    )
    assert r.status_code == 400
    assert "意见内容不能为空" in r.text
    assert 'value="B区"' in r.text
    assert comment_count(engine) == 0


async def test_form_for_an_unknown_clause_is_404(client, draft):
    r = await client.get("/drafts/tingche/comment", params={"clause": "第九十九条"})
    assert r.status_code == 404
    assert "没有这个条款" in r.text


async def test_closed_draft_shows_a_notice_instead_of_forms(client, engine):
    add_draft(engine, days_left=-1)
    html = (await client.get("/drafts/tingche")).text
    assert "征求意见期已结束" in html
    assert "comment-link" not in html
    assert "comment-form-template" not in html
    form = await client.get("/drafts/tingche/comment")
    assert "不再接收新的意见" in form.text
    assert '<form class="comment-form"' not in form.text


async def test_form_post_after_deadline_is_refused_with_a_clear_message(client, engine):
    add_draft(engine, days_left=-1)
    await client.get("/receipts")  # any page sets the CSRF cookie; the form was opened earlier
    _, token = csrf_pair("test-secret", client.cookies["csrftoken"])
    r = await client.post("/drafts/tingche/comments", data={"csrf_token": token, "body": "晚了"})
    assert r.status_code == 403
    assert "截止" in r.text
    assert comment_count(engine) == 0


async def test_receipt_lookup_redirects_to_the_receipt_page(client, draft):
    created = await client.post("/api/drafts/tingche/comments", json={"body": "好"})
    receipt = created.json()["receipt"]
    r = await client.get("/receipts", params={"receipt": receipt.lower()})
    assert r.status_code == 303 and r.headers["location"] == f"/receipts/{receipt}"
    bad = await client.get("/receipts", params={"receipt": "12"})
    assert bad.status_code == 400 and "格式不正确" in bad.text


async def test_unknown_pages_are_404_in_chinese(client, draft):
    r = await client.get("/drafts/none")
    assert r.status_code == 404 and "没有找到" in r.text
    r = await client.get("/receipts/ABCDE-FGHJK")
    assert r.status_code == 404


async def test_every_page_carries_security_headers(client, draft):
    for path in ["/", "/drafts/tingche", "/receipts", "/api/drafts", "/drafts/nope"]:
        r = await client.get(path)
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"


async def test_pages_have_no_inline_scripts(client, draft):
    html = (await client.get("/drafts/tingche")).text
    for script in re.findall(r"<script[^>]*>", html):
        assert "src=" in script
    assert "onclick" not in html


async def test_draft_text_with_html_is_escaped_on_the_page(client, engine):
    from datetime import timedelta

    from sqlmodel import Session

    from comments import period, storage
    from comments.drafts import DraftTree, Node

    tree = DraftTree(
        title="<script>alert(1)</script>办法",
        nodes=[
            Node(
                key="第一条",
                kind="article",
                label="第一条",
                number=1,
                text="<img src=x onerror=alert(1)>条文",
            )
        ],
    )
    with Session(engine) as session:
        storage.import_draft(
            session=session,
            tree=tree,
            source_name="x.txt",
            slug="xss",
            deadline=period.today_in("Asia/Shanghai") + timedelta(days=1),
        )
    for path in ["/", "/drafts/xss"]:
        html = (await client.get(path)).text
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;办法" in html


async def test_table_rows_are_commentable_rows_not_repeated_sections(client, engine):
    from datetime import timedelta

    from sqlmodel import Session

    from comments import storage
    from comments.drafts import DraftTree, Node

    rows = [
        ["序号", "任务", "牵头单位"],
        ["1", "建设政务云", "省经信委"],
        ["2", "光纤入户", "省通信管理局"],
    ]
    table = Node(
        key="附件1/表1",
        kind="table",
        rows=rows,
        children=[
            Node(key=f"附件1/表1/行{i}", kind="row", number=i, text="\t".join(r))
            for i, r in enumerate(rows[1:], start=1)
        ],
    )
    tree = DraftTree(
        title="任务表", nodes=[Node(key="附件1", kind="annex", label="附件1", children=[table])]
    )
    with Session(engine) as session:
        storage.import_draft(
            session=session,
            tree=tree,
            source_name="t.txt",
            slug="tasks",
            deadline=period.today_in("Asia/Shanghai") + timedelta(days=3),
        )
    await client.post(
        "/api/drafts/tasks/comments", json={"clause": "附件1/表1/行2", "body": "时间太紧"}
    )
    html = (await client.get("/drafts/tasks")).text
    assert html.count("光纤入户") == 1
    assert '<th scope="col">牵头单位</th>' in html
    assert '<tr id="附件1/表1/行2"><td>2</td><td>光纤入户</td><td>省通信管理局</td>' in html
    assert 'href="#附件1/表1/行2">1</a>' in html
    assert (
        'id="附件1/表1/行1"' in html and "section" not in html.split('id="附件1/表1/行1"')[0][-40:]
    )


async def test_draft_page_links_the_feedback_report_once_it_is_published(client, engine, app):
    from sqlmodel import Session

    from comments import storage
    from comments.storage import review
    from comments.storage.models import Comment
    from tests.drafter_helpers import publish_now

    add_draft(engine, days_left=-1)
    html = (await client.get("/drafts/tingche")).text
    assert "/drafts/tingche/feedback" not in html and "采纳情况将另行公布" in html
    with Session(engine) as session:
        draft = storage.draft_by_slug(session, "tingche")
        comment = Comment(
            draft_id=draft.id,
            clause_key="第一章/第一条",
            receipt="AAAAAA-000001",
            body="建议扩大适用范围。",
        )
        session.add(comment)
        session.commit()
        review.record_decision(
            session=session,
            draft=draft,
            target_kind="cluster",
            target_id="第一章/第一条:c1",
            clause_key="第一章/第一条",
            label="适用范围",
            outcome="采纳",
            reason="已修改。",
            members=[comment.id],
            actor="tester",
        )
    html = (await client.get("/drafts/tingche")).text  # recorded, not yet published
    assert "/drafts/tingche/feedback" not in html and "采纳情况将另行公布" in html
    publish_now(app, engine, "tingche", actor="tester")
    html = (await client.get("/drafts/tingche")).text
    assert 'href="/drafts/tingche/feedback"' in html


async def test_sending_the_same_form_twice_gives_one_comment_and_one_receipt(client, draft, engine):
    page = await client.get("/drafts/tingche/comment", params={"clause": "第一章/第一条"})
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key, "the form carries a key of its own"
    other = await client.get("/drafts/tingche/comment", params={"clause": "第一章/第一条"})
    assert key[1] not in other.text  # every form gets a new one
    data = {
        "csrf_token": csrf_from(page.text),
        "clause": "第一章/第一条",
        "body": "点了两次提交。",
        "idempotency_key": key[1],
    }
    first = await client.post("/drafts/tingche/comments", data=data)
    second = await client.post("/drafts/tingche/comments", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert comment_count(engine) == 1


async def test_a_form_sent_again_with_other_details_stores_them_too(client, draft, engine):
    """Back to the filled-in form (the same key), name changed, sent again: a second comment."""
    page = await client.get("/drafts/tingche/comment", params={"clause": "第一章/第一条"})
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    data = {
        "csrf_token": csrf_from(page.text),
        "clause": "第一章/第一条",
        "body": "改了署名再提交。",
        "name": "张三",
        "idempotency_key": key[1],
    }
    first = await client.post("/drafts/tingche/comments", data=data)
    second = await client.post(
        "/drafts/tingche/comments", data={**data, "name": "某物业公司", "show_name": "1"}
    )
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] != second.headers["location"]
    rows = stored_comments(engine)
    assert [(c.name, c.show_name) for c in rows] == [("张三", False), ("某物业公司", True)]


FORM_TYPE = "application/x-www-form-urlencoded"


def _gbk_form(token: str, *, percent: bool) -> bytes:
    from urllib.parse import quote_from_bytes

    fields = {"csrf_token": token, "clause": "第一章/第一条", "body": "建议明确", "name": "张三"}
    parts = []
    for name, value in fields.items():
        raw = value.encode("gbk")
        parts.append(f"{name}=".encode() + (quote_from_bytes(raw).encode() if percent else raw))
    return b"&".join(parts)


@pytest.mark.parametrize("percent", [True, False], ids=["percent-encoded", "raw"])
async def test_a_form_in_gbk_is_refused_with_the_form_again_and_nothing_stored(
    client, draft, engine, percent
):
    page = await client.get("/drafts/tingche/comment")
    body = _gbk_form(csrf_from(page.text), percent=percent)
    r = await client.post(
        "/drafts/tingche/comments", content=body, headers={"content-type": FORM_TYPE}
    )
    assert r.status_code == 400
    assert "提交的内容不是 UTF-8 编码，请用浏览器重新打开本页后提交。" in r.text
    assert 'name="body"' in r.text  # the form, to send again
    assert "\ufffd" not in r.text and "½¨" not in r.text
    assert comment_count(engine) == 0


@pytest.mark.parametrize("percent", [True, False], ids=["percent-encoded", "raw"])
@pytest.mark.parametrize("charset", ["gbk", "GB18030", "gb2312"])
async def test_a_form_that_names_its_chinese_charset_is_read_in_it(
    client, draft, engine, percent, charset
):
    page = await client.get("/drafts/tingche/comment")
    body = _gbk_form(csrf_from(page.text), percent=percent)
    r = await client.post(
        "/drafts/tingche/comments",
        content=body,
        headers={"content-type": f"{FORM_TYPE}; charset={charset}"},
    )
    assert r.status_code == 303, r.text
    rows = stored_comments(engine)
    assert [(c.clause_key, c.body, c.name) for c in rows] == [("第一章/第一条", "建议明确", "张三")]


async def test_a_form_whose_bytes_are_not_in_its_charset_is_refused(client, draft, engine):
    page = await client.get("/drafts/tingche/comment")
    body = f"csrf_token={csrf_from(page.text)}&body=".encode() + b"%FF%FF"
    for charset in ("gbk", "utf-8", "no-such-charset", "rot13"):
        r = await client.post(
            "/drafts/tingche/comments",
            content=body,
            headers={"content-type": f"{FORM_TYPE}; charset={charset}"},
        )
        assert r.status_code == 400, charset
        assert "不是 UTF-8 编码" in r.text
    assert comment_count(engine) == 0


async def test_a_multipart_form_is_read_strictly_too(client, draft, engine):
    page = await client.get("/drafts/tingche/comment")
    token = csrf_from(page.text)
    bad = await client.post(
        "/drafts/tingche/comments",
        files={"csrf_token": (None, token), "body": (None, "建议明确".encode("gbk"))},
    )
    assert bad.status_code == 400
    assert "提交的内容不是 UTF-8 编码" in bad.text
    assert comment_count(engine) == 0
    good = await client.post(
        "/drafts/tingche/comments",
        files={"csrf_token": (None, token), "body": (None, "建议明确".encode())},
    )
    assert good.status_code == 303
    assert [c.body for c in stored_comments(engine)] == ["建议明确"]


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
async def test_a_form_posted_in_another_format_is_told_so(client, draft, engine, content_type):
    page = await client.get("/drafts/tingche/comment")
    token = csrf_from(page.text)
    r = await client.post(
        "/drafts/tingche/comments",
        content=f'{{"csrf_token": "{token}", "body": "用 JSON 提交表单。"}}'.encode(),
        headers={"content-type": content_type},
    )
    assert r.status_code == 415
    assert "提交格式不对：请通过本页的表单提交。" in r.text
    assert "表单已过期" not in r.text
    assert comment_count(engine) == 0


def _multipart(token: str, body: str, *, closed: bool) -> bytes:
    parts = [
        f'--ABC\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n',
        f'--ABC\r\nContent-Disposition: form-data; name="body"\r\n\r\n{body}',
    ]
    return "".join(parts).encode() + (b"\r\n--ABC--\r\n" if closed else b"\r\n")


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        # Cut off before its closing boundary: its last field would be lost.
        ("multipart/form-data; boundary=ABC", "cut", "表单格式不正确，请刷新页面后重新提交。"),
        ("multipart/form-data; boundary=XYZ", "closed", "表单格式不正确，请刷新页面后重新提交。"),
        ("multipart/form-data", "closed", "表单格式不正确，请刷新页面后重新提交。"),
        (FORM_TYPE, "fields", "表单内容项过多（上限 500 项）"),
    ],
)
async def test_a_form_that_cannot_be_read_whole_is_refused_with_the_form_again(
    client, draft, engine, content_type, body, message
):
    token = csrf_from((await client.get("/drafts/tingche/comment")).text)
    if body == "fields":
        content = "&".join([f"csrf_token={token}", "body=x", *(f"f{i}=1" for i in range(600))])
        data = content.encode()
    else:
        data = _multipart(token, "建议明确适用范围。", closed=body == "closed")
    r = await client.post(
        "/drafts/tingche/comments", content=data, headers={"content-type": content_type}
    )
    assert r.status_code == 400
    assert message in r.text and 'name="body"' in r.text  # the form, to send again
    assert comment_count(engine) == 0
    whole = _multipart(token, "建议明确适用范围。", closed=True)
    r = await client.post(
        "/drafts/tingche/comments",
        content=whole,
        headers={"content-type": "multipart/form-data; boundary=ABC"},
    )
    assert r.status_code == 303 and [c.body for c in stored_comments(engine)] == [
        "建议明确适用范围。"
    ]
