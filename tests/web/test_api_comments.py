"""The public JSON API: posting comments, receipts, and every bad input."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session

from comments import storage
from comments.storage.models import Draft
from comments.web.app import create_app
from tests.conftest import add_draft
from tests.helpers import comment_count, stored_comments

pytestmark = pytest.mark.anyio

URL = "/api/drafts/tingche/comments"


async def test_posted_comment_gets_a_receipt_and_reads_back_by_it(client, draft, engine):
    r = await client.post(
        URL,
        json={
            "clause": "第一章/第一条",
            "body": "建议明确适用于老旧小区。",
            "submitter_type": "个人",
            "name": "张三",
            "contact": "13800001111",
            "region": "A市",
        },
    )
    assert r.status_code == 201, r.text
    data = r.json()
    assert set(data) >= {"id", "receipt"}
    assert len(data["receipt"]) == 13 and data["receipt"][6] == "-"
    rows = stored_comments(engine)
    assert [(c.id, c.receipt, c.clause_key) for c in rows] == [
        (data["id"], data["receipt"], "第一章/第一条")
    ]
    assert rows[0].name == "张三" and rows[0].contact == "13800001111"
    got = await client.get(f"/api/receipts/{data['receipt']}")
    assert got.status_code == 200
    body = got.json()
    assert body["body"] == "建议明确适用于老旧小区。"
    assert body["clause"] == "第一章/第一条"
    assert body["status"] == "published"
    assert "contact" not in body and "name" not in body  # personal data is not public


async def test_the_answer_says_whether_the_comment_is_published_or_held_and_why(client, draft):
    ok = (await client.post(URL, json={"body": "建议明确适用范围。"})).json()
    assert ok["status"] == "published" and "held_because" not in ok
    held = await client.post(URL, json={"body": "有问题请打我电话 13812345678。"})
    assert held.status_code == 201
    data = held.json()
    assert data["status"] == "pending"
    assert data["held_because"] == "含联系方式等个人信息，待人工审核后公开"
    receipt = (await client.get(f"/api/receipts/{data['receipt']}")).json()
    assert receipt["status"] == "pending" and receipt["held_because"] == data["held_because"]
    # A retry with the same key answers the same, held as it was.
    again = await client.post(
        URL, json={"body": "有问题请打我电话 13812345678。", "idempotency_key": "key-held-1"}
    )
    retry = await client.post(
        URL, json={"body": "有问题请打我电话 13812345678。", "idempotency_key": "key-held-1"}
    )
    assert again.status_code == retry.status_code == 201, retry.text
    assert again.json()["receipt"] == retry.json()["receipt"]
    assert retry.json()["status"] == "pending"


async def test_receipt_lookup_forgives_case_dashes_and_lookalike_letters(client, draft):
    r = await client.post(URL, json={"clause": None, "body": "总体赞成。"})
    receipt = r.json()["receipt"]
    typed = receipt.replace("-", "").lower().replace("0", "o").replace("1", "l")
    got = await client.get(f"/api/receipts/{typed}")
    assert got.status_code == 200
    assert got.json()["receipt"] == receipt
    # Typed in an input method's full-width mode, or with a long dash or a wide space.
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else "－" for c in receipt)
    for typed in (wide, receipt.replace("-", "—"), receipt.replace("-", "\u3000")):
        got = await client.get(f"/api/receipts/{typed}")
        assert got.status_code == 200 and got.json()["receipt"] == receipt, typed
    page = await client.get("/receipts", params={"receipt": wide})
    assert page.status_code in (200, 303) and receipt in (
        page.headers.get("location", "") + page.text
    )


async def test_comment_on_the_whole_draft_has_no_clause(client, draft, engine):
    r = await client.post(URL, json={"clause": None, "body": "总体支持这个办法。"})
    assert r.status_code == 201
    assert stored_comments(engine)[0].clause_key is None
    tree = (await client.get("/api/drafts/tingche")).json()
    assert tree["whole_draft_comments"] == 1
    assert tree["comment_count"] == 1


async def test_draft_tree_carries_comment_counts_per_clause(client, draft):
    for _ in range(2):
        await client.post(URL, json={"clause": "第一章/第二条/第二款", "body": "收费应公示。"})
    data = (await client.get("/api/drafts/tingche")).json()
    chapter = next(n for n in data["nodes"] if n["key"] == "第一章")
    article = next(n for n in chapter["children"] if n["key"] == "第一章/第二条")
    counts = {n["key"]: n["comments"] for n in article["children"]}
    assert counts == {"第一章/第二条/第一款": 0, "第一章/第二条/第二款": 2}
    assert data["accepting_comments"] is True
    assert data["days_left"] == 10


async def test_list_of_drafts_shows_period_and_counts(client, draft):
    await client.post(URL, json={"body": "好"})
    data = (await client.get("/api/drafts")).json()["drafts"]
    assert [(d["slug"], d["comment_count"], d["period"]) for d in data] == [("tingche", 1, "open")]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"clause": None, "body": ""}, "empty_comment"),
        ({"clause": None, "body": "   \n\t  "}, "empty_comment"),
        ({"clause": None, "body": "\u200b\u200b\u200d"}, "empty_comment"),
        ({"clause": None}, "empty_comment"),
        ({"clause": None, "body": "\u3164\u115f\u180e\u061c\U000e0001\U000e0020"}, "empty_comment"),
        ({"clause": None, "body": 42}, "bad_field"),
        ({"clause": None, "body": ["有意见"]}, "bad_field"),
        ({"clause": None, "body": "长" * 5001}, "comment_too_long"),
        ({"clause": 7, "body": "有意见"}, "bad_clause"),
        ({"clause": None, "body": "有意见", "submitter_type": "外星人"}, "bad_submitter_type"),
        ({"clause": None, "body": "有意见", "name": "名" * 101}, "field_too_long"),
        ({"clause": None, "body": "有意见", "region": ["A市"]}, "bad_field"),
        ({"clause": None, "body": "有意见", "show_name": {"x": 1}}, "bad_field"),
        ({"clause": None, "body": "有意见", "show_name": [0]}, "bad_field"),
        ({"clause": None, "body": "有意见", "show_name": "maybe"}, "bad_field"),
        ({"clause": None, "body": "有意见", "show_name": 2}, "bad_field"),
    ],
)
async def test_bad_comment_is_refused_with_a_clear_error_and_nothing_stored(
    client, draft, engine, payload, code
):
    r = await client.post(URL, json=payload)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == code
    assert error["message"]  # a sentence for the user
    assert comment_count(engine) == 0


async def test_comment_of_exactly_the_limit_is_accepted(client, draft):
    r = await client.post(URL, json={"body": "长" * 5000})
    assert r.status_code == 201


async def test_invalid_json_is_refused(client, draft, engine):
    r = await client.post(URL, content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_json"
    r = await client.post(URL, json=["a", "list"])
    assert r.json()["error"]["code"] == "invalid_json"
    r = await client.post(
        URL, content=b"\xff\xfe\x00", headers={"content-type": "application/json"}
    )
    assert r.json()["error"]["code"] == "invalid_json"
    assert comment_count(engine) == 0


@pytest.mark.parametrize(
    "raw",
    [
        '{"body": "有意见", "show_name": NaN}',
        '{"body": "有意见", "show_name": Infinity}',
        '{"body": "有意见", "show_name": -Infinity}',
        '{"body": "有意见", "show_name": 1e400}',
        '{"body": "有意见", "extra": [NaN]}',
    ],
    ids=["nan", "infinity", "minus-infinity", "overflow", "nested-nan"],
)
async def test_nan_and_infinity_are_not_json_and_are_refused(client, draft, engine, raw):
    r = await client.post(URL, content=raw.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "invalid_json",
        "message": "请求体不是有效的 JSON（不接受 NaN、Infinity 和超出范围的数）。",
    }
    assert comment_count(engine) == 0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"body": "建议明确"}'.encode("gbk"), "请求体不是 UTF-8 编码的 JSON。"),
        ('{"body": "建议明确"}'.encode("utf-16"), "请求体不是 UTF-8 编码的 JSON。"),
        (b'{"body": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", "请求体的 JSON 嵌套过深。"),
        (b"{not json", "请求体不是有效的 JSON。"),
    ],
    ids=["gbk", "utf-16", "too-deep", "not-json"],
)
async def test_undecodable_or_too_deep_json_is_refused_saying_why(
    client, draft, engine, raw, message
):
    r = await client.post(URL, content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "invalid_json", "message": message}
    assert comment_count(engine) == 0


async def test_a_leading_byte_order_mark_is_allowed_once_and_a_body_in_pieces_is_read_whole(
    client, draft, engine
):
    body = '{"body": "建议明确停车收费标准"}'.encode()
    bom = "\ufeff".encode()
    r = await client.post(URL, content=bom + body, headers={"content-type": "application/json"})
    assert r.status_code == 201
    r = await client.post(
        URL, content=bom + bom + body, headers={"content-type": "application/json"}
    )
    assert r.json()["error"] == {"code": "invalid_json", "message": "请求体不是有效的 JSON。"}

    async def pieces():  # sent chunked, split inside a character
        yield body[:12]
        yield body[12:13]
        yield body[13:]

    r = await client.post(URL, content=pieces(), headers={"content-type": "application/json"})
    assert r.status_code == 201
    assert [c.body for c in stored_comments(engine)] == ["建议明确停车收费标准"] * 2


async def test_corrections_refuse_nan_like_comments(client, draft, engine):
    from tests.test_auth import make_drafter

    _drafter, _password, token = make_drafter(engine)
    r = await client.post(
        "/api/drafts/tingche/corrections",
        content=b'{"comment": NaN}',
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    assert r.status_code == 400
    assert (
        r.json()["error"]["message"]
        == "请求体不是有效的 JSON（不接受 NaN、Infinity 和超出范围的数）。"
    )


async def test_body_over_64_kb_is_refused_with_413(client, draft, engine):
    big = '{"body": "' + "a" * 70_000 + '"}'
    r = await client.post(URL, content=big.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"
    assert comment_count(engine) == 0


async def test_body_over_the_limit_without_content_length_is_refused(client, draft, engine):
    async def chunks():
        for _ in range(20):
            yield b"x" * 4096

    r = await client.post(URL, content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert comment_count(engine) == 0


async def test_unknown_draft_is_404(client, draft, engine):
    r = await client.post("/api/drafts/nope/comments", json={"body": "有意见"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert (await client.get("/api/drafts/nope")).status_code == 404
    assert comment_count(engine) == 0


async def test_unknown_clause_is_404_and_nothing_stored(client, draft, engine):
    r = await client.post(URL, json={"clause": "第九章/第九十九条", "body": "有意见"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "unknown_clause"
    assert comment_count(engine) == 0


async def test_comment_after_the_deadline_is_refused(client, engine):
    add_draft(engine, days_left=-1)
    r = await client.post(URL, json={"body": "还来得及吗？"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "closed"
    assert "截止" in r.json()["error"]["message"]
    assert comment_count(engine) == 0


async def test_deadline_day_itself_still_takes_comments(client, engine):
    add_draft(engine, days_left=0)
    r = await client.post(URL, json={"body": "最后一天提交。"})
    assert r.status_code == 201


async def test_draft_closed_early_refuses_even_with_a_cached_snapshot(client, app, draft, engine):
    assert (await client.post(URL, json={"body": "第一条意见"})).status_code == 201
    with Session(engine) as session:
        row = session.get(Draft, draft.id)
        assert row is not None
        row.status = "closed"
        session.add(row)
        session.commit()
    # The request path still trusts its few-seconds-old snapshot; the writer checks again
    # inside the transaction, so the comment is refused and not stored.
    r = await client.post(URL, json={"body": "第二条意见"})
    assert r.status_code == 403
    assert comment_count(engine) == 1


async def test_html_in_a_comment_is_stored_as_text_and_shown_escaped(client, draft, engine):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = await client.post(URL, json={"body": payload})
    assert r.status_code == 201
    assert stored_comments(engine)[0].body == payload
    page = await client.get(f"/receipts/{r.json()['receipt']}")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


async def test_control_and_zero_width_characters_are_stripped(client, draft, engine):
    r = await client.post(
        URL,
        json={"body": "建议\u200b增加\x00公示\u202e条款\x07。\r\n第二行", "name": "李\u200d四\n"},
    )
    assert r.status_code == 201
    row = stored_comments(engine)[0]
    assert row.body == "建议增加公示条款。\n第二行"
    assert row.name == "李四"


@pytest.mark.usefixtures("one_rate_window")
async def test_rate_limit_answers_429_with_retry_after(settings, engine, draft):
    app = create_app(settings.with_overrides(rate_limit_per_minute=3), engine=engine)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            codes = [(await c.post(URL, json={"body": f"意见{i}"})).status_code for i in range(5)]
            assert codes == [201, 201, 201, 429, 429]
            r = await c.post(URL, json={"body": "再来"})
            assert int(r.headers["retry-after"]) > 0
            assert r.json()["error"]["code"] == "rate_limited"
    finally:
        app.state.comments.intake.writer.close()
    assert comment_count(engine) == 3


async def test_bad_receipt_format_is_400_and_unknown_receipt_404(client, draft):
    r = await client.get("/api/receipts/not-a-receipt")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_receipt"
    r = await client.get("/api/receipts/ABCDE-FGHJK")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/api/drafts/nope", {}, 404),
        ("get", "/api/nothing-here", {}, 404),
        ("delete", "/api/drafts", {}, 405),
        ("post", URL, {"content": b"[", "headers": {"content-type": "application/json"}}, 400),
        ("post", URL, {"json": {"body": ""}}, 400),
        ("get", "/api/receipts/x", {}, 400),
    ],
)
async def test_every_api_error_has_the_one_envelope(client, draft, method, path, kwargs, status):
    r = await getattr(client, method)(path, **kwargs)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message"}
    assert all(isinstance(v, str) and v for v in body["error"].values())


async def test_openapi_document_describes_every_api_route(client, app):
    doc = (await client.get("/api/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    api_paths = {
        r.path
        for r in app.routes
        if getattr(r, "path", "").startswith("/api/drafts")
        or getattr(r, "path", "").startswith("/api/receipts")
    }
    assert api_paths <= set(doc["paths"])


async def test_unexpected_failure_is_a_500_in_the_envelope_not_a_traceback(
    client, draft, monkeypatch
):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(storage, "list_drafts", boom)
    transport = client._transport
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=transport.app, raise_app_exceptions=False),
        base_url="http://t",
    ) as c:
        r = await c.get("/api/drafts")
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "server_error"
    assert "secret internals" not in r.text


@pytest.mark.parametrize(
    "body",
    [
        "加微信 abc123 领取红包，代办各类证件 http://spam.example.cn",
        "写这个条款的人都是蠢货",
        "我的电话是13812345678，请联系我。",
    ],
)
async def test_flagged_comment_is_stored_and_acknowledged_but_held_for_moderation(
    client, draft, engine, body
):
    r = await client.post(URL, json={"body": body})
    assert r.status_code == 201
    (row,) = stored_comments(engine)
    assert row.body == body and row.status == "pending"
    receipt = await client.get(f"/api/receipts/{r.json()['receipt']}")
    assert receipt.json()["status"] == "pending"
    counts = (await client.get("/api/drafts/tingche")).json()
    assert counts["comment_count"] == 0  # not counted in public figures until published


async def test_ordinary_comment_is_published_at_once(client, draft, engine):
    await client.post(URL, json={"body": "建议明确收费标准的公示方式。"})
    assert stored_comments(engine)[0].status == "published"


async def test_a_colliding_receipt_is_drawn_again_and_the_comment_kept(client, draft, engine):
    from comments.intake import receipts as intake

    first = (await client.post(URL, json={"body": "第一条意见。"})).json()
    real = intake.new_receipts
    draws = []

    def colliding(n: int) -> list[str]:
        draws.append(n)
        return [first["receipt"]] * n if len(draws) == 1 else real(n)

    intake.new_receipts = colliding  # type: ignore[assignment]
    try:
        r = await client.post(URL, json={"body": "第二条意见。"})
    finally:
        intake.new_receipts = real  # type: ignore[assignment]
    assert r.status_code == 201, r.text
    assert len(draws) == 2  # the collision, then a new draw
    second = r.json()
    assert second["receipt"] != first["receipt"]
    rows = stored_comments(engine)
    assert [(c.id, c.receipt, c.body) for c in rows] == [
        (first["id"], first["receipt"], "第一条意见。"),
        (second["id"], second["receipt"], "第二条意见。"),
    ]


def test_receipts_are_a_clock_prefix_and_fifty_random_bits_of_the_unambiguous_alphabet():
    from comments.intake import RECEIPT_RE, new_receipts, normalise_receipt

    receipts = new_receipts(2000, now=1_800_000_000.005)
    assert all(RECEIPT_RE.match(r) and len(r) == 13 and r[6] == "-" for r in receipts)
    assert len(set(receipts)) == 2000
    assert len({r[:2] for r in receipts}) == 1  # committed together: one prefix
    # every symbol of the alphabet turns up in every random position: none is fixed
    for position in (2, 5, 7, 12):
        assert len({r[position] for r in receipts}) == 32
    # the clock moves on (10 ms ticks) and cycles every 10.24 s
    assert new_receipts(1, now=1_800_000_000.015)[0][:2] != receipts[0][:2]
    assert new_receipts(1, now=1_800_000_010.245)[0][:2] == receipts[0][:2]
    # what people type is forgiven; receipts from before the prefix (10 symbols) still read
    typed = receipts[0].lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalise_receipt(typed) == receipts[0]
    assert normalise_receipt("7k3qf m9x2a") == "7K3QF-M9X2A"
    assert normalise_receipt("7K3QF-M9X2A1") is None  # 11 symbols
    assert normalise_receipt("7K3QFU-9X2AB4") is None  # U is not in the alphabet


async def test_a_receipt_of_the_earlier_ten_symbol_form_is_still_found(client, draft, engine):
    from sqlmodel import Session

    from comments.storage.models import Comment

    first = (await client.post(URL, json={"body": "较早提交的意见。"})).json()
    with Session(engine) as session:
        row = session.get(Comment, first["id"])
        row.receipt = "7K3QF-M9X2A"
        session.add(row)
        session.commit()
    r = await client.get("/api/receipts/7k3qf m9x2a")
    assert r.status_code == 200 and r.json()["receipt"] == "7K3QF-M9X2A"


async def test_unexpected_failure_in_a_comment_post_is_a_logged_500_with_the_headers(
    client, draft, engine, monkeypatch, caplog
):
    import comments.intake

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(comments.intake, "validate_comment", boom)
    # As for every route, the error also goes on to the server, which logs it: not raised here.
    transport = httpx.ASGITransport(app=client._transport.app, raise_app_exceptions=False)
    with caplog.at_level("ERROR", logger="comments.web"):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as plain:
            r = await plain.post(URL, json={"body": "一条意见。"})
    assert r.status_code == 500
    assert r.json() == {
        "error": {"code": "server_error", "message": "服务器内部错误，请稍后再试。"}
    }
    assert "secret internals" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert any("secret internals" in str(rec.exc_info[1]) for rec in caplog.records)
    assert comment_count(engine) == 0


async def test_a_client_that_goes_away_mid_body_leaves_nothing_stored(app, draft, engine):
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": URL,
        "raw_path": URL.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json")],
        "client": ("203.0.113.9", 5000),
        "server": ("testserver", 80),
    }
    messages = iter(
        [
            {"type": "http.request", "body": b'{"body": "\xe5\xbb\xba', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    assert sent == []  # nobody to answer
    assert comment_count(engine) == 0


async def test_the_201_body_is_json_with_the_receipt_and_its_time(client, draft):
    from datetime import datetime

    r = await client.post(URL, json={"body": "支持。"})
    assert r.status_code == 201 and r.headers["content-type"] == "application/json"
    data = r.json()
    assert set(data) == {"id", "receipt", "url", "created_at", "status"}
    assert data["status"] == "published"
    assert data["url"] == f"/receipts/{data['receipt']}"
    assert datetime.fromisoformat(data["created_at"]).utcoffset().total_seconds() == 0
    assert int(r.headers["content-length"]) == len(r.content)


async def test_a_comment_must_be_posted_as_json(client, draft, engine):
    for headers in (
        {"content-type": "text/plain"},
        {},
        {"content-type": "application/x-www-form-urlencoded"},
    ):
        r = await client.post(URL, content='{"body": "跨站提交的意见。"}'.encode(), headers=headers)
        assert r.status_code == 415
        assert r.json()["error"]["code"] == "unsupported_media_type"
    r = await client.post(
        URL,
        content='{"body": "带字符集的也可以。"}'.encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 201
    assert comment_count(engine) == 1


async def test_a_page_of_another_site_cannot_post_for_its_visitors(client, draft, engine):
    body = {"body": "别的网站替访客提交的意见。"}
    for headers in (
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
    ):
        r = await client.post(URL, json=body, headers=headers)
        assert r.status_code == 403, headers
        assert r.json()["error"]["code"] == "cross_site"
    assert comment_count(engine) == 0
    same = await client.post(
        URL, json=body, headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    )
    assert same.status_code == 201
    script = await client.post(URL, json=body)  # no Origin: a script or another system
    assert script.status_code == 201


async def test_an_office_site_named_in_the_settings_may_embed_the_form(settings, engine, draft):
    from comments.web.app import create_app

    app = create_app(
        settings.with_overrides(allowed_origins="https://www.example.gov.cn/, https://x.gov.cn"),
        engine=engine,
    )
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            ok = await c.post(
                URL,
                json={"body": "从单位网站提交。"},
                headers={"origin": "https://www.example.gov.cn", "sec-fetch-site": "cross-site"},
            )
            other = await c.post(
                URL, json={"body": "别处。"}, headers={"origin": "https://other.example"}
            )
    finally:
        app.state.comments.close()
    assert ok.status_code == 201
    assert other.status_code == 403


async def test_an_unpublished_draft_answers_exactly_like_one_that_does_not_exist(client, engine):
    add_draft(engine, slug="hidden-one", status="unpublished")
    answers = []
    for slug in ("hidden-one", "no-such-draft"):
        post = await client.post(f"/api/drafts/{slug}/comments", json={"body": "试探。"})
        read = await client.get(f"/api/drafts/{slug}")
        page = await client.get(f"/drafts/{slug}")
        answers.append(
            (post.status_code, post.json(), read.status_code, read.json(), page.status_code)
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == 404
    assert comment_count(engine) == 0


async def test_a_retry_with_the_same_key_gets_the_first_receipt_and_stores_nothing_twice(
    client, draft, engine
):
    body = {"body": "网络断了，我再提交一次。", "idempotency_key": "retry-key-0001"}
    first = await client.post(URL, json=body)
    again = await client.post(URL, json=body)
    header = await client.post(
        URL, json={"body": body["body"]}, headers={"Idempotency-Key": "retry-key-0001"}
    )
    assert first.status_code == again.status_code == header.status_code == 201
    assert first.json()["receipt"] == again.json()["receipt"] == header.json()["receipt"]
    assert comment_count(engine) == 1


async def test_a_key_reused_for_another_text_stores_that_text_too(client, draft, engine):
    a = await client.post(URL, json={"body": "第一条意见。", "idempotency_key": "same-key-0002"})
    b = await client.post(URL, json={"body": "另一条意见。", "idempotency_key": "same-key-0002"})
    assert a.json()["receipt"] != b.json()["receipt"]
    assert [c.body for c in stored_comments(engine)] == ["第一条意见。", "另一条意见。"]


SENT = {
    "clause": "第一章/第一条",
    "body": "同一段文字。",
    "submitter_type": "个人",
    "name": "张三",
    "contact": "13800001111",
    "region": "A市",
    "show_name": True,
}


@pytest.mark.parametrize(
    "changed",
    [
        {"clause": None},
        {"clause": "第一章/第二条/第一款"},
        {"name": "李四"},
        {"contact": "zhang@example.cn"},
        {"region": "B市"},
        {"submitter_type": "企业"},
        {"show_name": False},
    ],
)
@pytest.mark.parametrize("via", ["field", "header"])
async def test_a_key_reused_with_the_same_text_but_other_fields_stores_those_too(
    client, draft, engine, changed, via
):
    key = "reused-key-0004"
    first = await client.post(URL, json={**SENT, "idempotency_key": key})
    if via == "field":
        second = await client.post(URL, json={**SENT, **changed, "idempotency_key": key})
    else:
        second = await client.post(URL, json={**SENT, **changed}, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert first.json()["receipt"] != second.json()["receipt"]
    rows = stored_comments(engine)
    assert len(rows) == 2
    field, value = next(iter(changed.items()))
    column = "clause_key" if field == "clause" else field
    assert getattr(rows[1], column) == value  # the new value is kept, not dropped
    assert getattr(rows[0], column) == SENT[field]
    again = await client.post(URL, json={**SENT, "idempotency_key": key})
    assert again.json()["receipt"] == first.json()["receipt"]  # the key still names the first
    assert comment_count(engine) == 2


async def test_a_retry_sending_the_defaults_explicitly_is_the_same_submission(
    client, draft, engine
):
    first = await client.post(
        URL, json={"body": "只写了意见。", "idempotency_key": "default-key-05"}
    )
    again = await client.post(
        URL,
        json={
            "clause": None,
            "body": "只写了意见。",
            "submitter_type": "个人",
            "name": "",
            "contact": "",
            "region": "",
            "show_name": False,
            "idempotency_key": "default-key-05",
        },
    )
    assert first.json()["receipt"] == again.json()["receipt"]
    assert comment_count(engine) == 1


def writer_row(draft, body: str, key: str, **fields: object) -> dict[str, object]:
    """A validated row as the comment writer takes it."""
    row: dict[str, object] = {
        "draft_id": draft.id,
        "clause_key": None,
        "body": body,
        "submitter_type": "个人",
        "name": "",
        "contact": "",
        "region": "",
        "show_name": False,
        "status": "published",
        "client_hash": "",
        "idempotency_key": key,
    }
    return {**row, **fields}


async def test_retries_in_one_batch_are_stored_once(app, draft, engine):
    import asyncio

    writer = app.state.comments.intake.writer
    row = writer_row(draft, "同时到达的两次重试。", "batch-key-0003")
    one, two = await asyncio.gather(writer.submit(dict(row)), writer.submit(dict(row)))
    assert one.receipt == two.receipt
    assert comment_count(engine) == 1
    other = {**row, "name": "另一个人"}
    three, four = await asyncio.gather(writer.submit(dict(row)), writer.submit(other))
    assert three.receipt == one.receipt and four.receipt != one.receipt
    assert [c.name for c in stored_comments(engine)] == ["", "另一个人"]


async def test_same_key_and_text_with_other_fields_in_one_batch_are_both_stored(app, draft, engine):
    import asyncio

    writer = app.state.comments.intake.writer
    row = writer_row(draft, "同一批里的两条。", "batch-key-0006", name="张三")
    one, two = await asyncio.gather(
        writer.submit(dict(row)), writer.submit({**row, "region": "B市"})
    )
    assert one.receipt != two.receipt
    assert [c.region for c in stored_comments(engine)] == ["", "B市"]


async def test_a_malformed_key_is_refused(client, draft, engine):
    r = await client.post(URL, json={"body": "意见。", "idempotency_key": "短"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_idempotency_key"
    assert comment_count(engine) == 0


async def test_a_held_comment_s_receipt_says_why_in_plain_words(client, draft):
    r = await client.post(URL, json={"body": "我的电话是13812345678，请联系我。"})
    receipt = r.json()["receipt"]
    data = (await client.get(f"/api/receipts/{receipt}")).json()
    assert data["status"] == "pending"
    assert data["held_because"] == "含联系方式等个人信息，待人工审核后公开"
    page = await client.get(f"/receipts/{receipt}")
    assert "含联系方式等个人信息，待人工审核后公开" in page.text
    assert "13812345678" not in page.text
    ok = (await client.post(URL, json={"body": "建议限时办结，超期要问责。"})).json()
    assert (await client.get(f"/api/receipts/{ok['receipt']}")).json()["held_because"] == ""
