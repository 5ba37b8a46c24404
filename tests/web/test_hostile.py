"""Hostile requests: security headers everywhere, CSRF, cookie flags, body limits, idle clients."""

from __future__ import annotations

import re
import socket
import time

import httpx
import pytest

from tests.helpers import comment_count
from tests.servers import free_port, server_env, start_server, stop_server
from tests.test_auth import log_in, make_drafter

pytestmark = pytest.mark.anyio

URL = "/api/drafts/tingche/comments"


def csp_directives(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


JSON = {"content-type": "application/json"}


@pytest.mark.usefixtures("one_rate_window")
async def test_every_kind_of_response_carries_the_security_headers(settings, engine, draft):
    from comments.web.app import create_app

    application = create_app(
        settings.with_overrides(rate_limit_per_minute=1, max_body_bytes=2048), engine=engine
    )
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            responses = {
                "page": await client.get("/drafts/tingche"),
                "json": await client.get("/api/drafts"),
                "static": await client.get("/static/site.css"),
                "404": await client.get("/no/such/page"),
                "api 404": await client.get("/api/drafts/nope"),
                "201": await client.post(URL, json={"body": "一条。"}),
                "429": await client.post(URL, json={"body": "两条。"}),
                "413": await client.post(URL, content=b"x" * 4096),
                "405": await client.delete("/api/drafts"),
            }
    finally:
        application.state.comments.intake.writer.close()
    assert [r.status_code for r in responses.values()] == [
        200,
        200,
        200,
        404,
        404,
        201,
        429,
        413,
        405,
    ]
    for name, r in responses.items():
        csp = csp_directives(r)
        assert csp["frame-ancestors"] == "'none'", name
        assert csp["script-src"] == "'self'", name  # no 'unsafe-inline', no 'unsafe-eval'
        assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'", name
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["x-frame-options"] == "DENY", name


async def test_pages_have_no_inline_scripts_styles_or_handlers(client, draft, engine):
    receipt = (await client.post(URL, json={"body": "看看回执页。"})).json()["receipt"]
    _d, password, _t = make_drafter(engine)
    pages = ["/", "/drafts/tingche", "/drafts/tingche/comment", "/receipts", f"/receipts/{receipt}"]
    html = [(await client.get(p)).text for p in pages]
    await log_in(client, "wang", password)
    html += [(await client.get(p)).text for p in ("/drafter", "/drafter/upload", "/login")]
    for text in html:
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", text, re.S):
            assert 'src="/static/' in attrs and body.strip() == ""
        assert not re.search(r"<style[\s>]", text)
        assert not re.search(r"\s(on[a-z]+|style)\s*=", text)


async def test_form_post_without_a_valid_csrf_token_is_refused_and_not_stored(
    client, draft, engine
):
    await client.get("/drafts/tingche/comment")  # sets the CSRF cookie
    missing = await client.post("/drafts/tingche/comments", data={"body": "没有令牌。"})
    forged = await client.post(
        "/drafts/tingche/comments", data={"body": "伪造令牌。", "csrf_token": "0" * 32}
    )
    client.cookies.clear()
    page = await client.get("/drafts/tingche/comment")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.cookies.clear()  # a token lifted from another visitor's page, without its cookie
    stolen = await client.post(
        "/drafts/tingche/comments", data={"body": "别人的令牌。", "csrf_token": token}
    )
    for r in (missing, forged, stolen):
        assert r.status_code == 403
        assert "表单已过期" in r.text
    assert comment_count(engine) == 0


async def test_cookies_are_httponly_samesite_and_secure_over_https(app, engine, draft):
    _d, password, _t = make_drafter(engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
        page = await client.get("/drafts/tingche/comment")
        login = await log_in(client, "wang", password)
    cookies = page.headers.get_list("set-cookie") + login.headers.get_list("set-cookie")
    assert cookies
    for cookie in cookies:
        flags = {f.strip().split("=")[0].lower() for f in cookie.split(";")[1:]}
        assert {"httponly", "secure", "samesite"} <= flags, cookie
        assert re.search(r"samesite=(lax|strict)", cookie, re.I), cookie


async def test_oversized_bodies_are_refused_with_413_declared_or_streamed(settings, engine, draft):
    from comments.web.app import create_app

    application = create_app(settings.with_overrides(max_body_bytes=1024), engine=engine)
    transport = httpx.ASGITransport(app=application)

    async def chunks():
        for _ in range(64):
            yield b'{"body": "' + "长".encode() * 40

    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            declared = await client.post(URL, json={"body": "长" * 2000})
            streamed = await client.post(URL, content=chunks(), headers=JSON)  # no Content-Length
            form = await client.post("/drafts/tingche/comments", data={"body": "长" * 2000})
    finally:
        application.state.comments.intake.writer.close()
    for r in (declared, streamed):
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "body_too_large"
        assert "请求内容过大" in r.json()["error"]["message"]
    assert form.status_code == 413 and "请求内容过大" in form.text
    # A page a person can read on a phone and leave: the site's style, a way back.
    assert 'name="viewport"' in form.text and "/static/site.css" in form.text
    assert "请返回上一页删减后再提交" in form.text and 'href="/"' in form.text
    assert comment_count(engine) == 0


async def test_deeply_nested_or_huge_json_gets_a_clear_400_not_a_crash(client, draft, engine):
    nested = b'{"body": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    r = await client.post(URL, content=nested, headers=JSON)
    assert r.status_code == 400 and r.json()["error"]["code"] in ("empty_comment", "invalid_json")
    r = await client.post(URL, content=b"\xff\xfe\x00garbage", headers=JSON)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    assert comment_count(engine) == 0


def test_idle_connection_is_closed_by_the_server_after_the_keep_alive_timeout(tmp_path):
    """Slow clients: uvicorn closes an idle keep-alive connection after 5 s, so connections
    cannot be hoarded between requests. (A client that trickles its headers is cut off by the
    reverse proxy's client_header_timeout: docs/deploy.md.)"""
    port = free_port()
    proc = start_server(server_env(port, f"sqlite:///{tmp_path / 's.db'}"), tmp_path)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"GET /api/drafts HTTP/1.1\r\nHost: x\r\n\r\n")
            conn.settimeout(15)
            received = b""
            while b"\r\n\r\n" not in received:
                received += conn.recv(65536)
            assert received.startswith(b"HTTP/1.1 200")
            started = time.monotonic()
            while chunk := conn.recv(65536):  # drain the body, then wait for the close
                received += chunk
            idle = time.monotonic() - started
        assert 3 < idle < 12  # closed by the server, not by our 15 s timeout
    finally:
        stop_server(proc)


async def test_a_nul_character_in_a_path_is_a_clear_client_error_on_every_backend(client, draft):
    for path in ("/api/drafts/%00", "/drafts/%00", "/api/drafts/a%00b/comments"):
        r = await (
            client.post(path, json={"body": "x"}) if "comments" in path else client.get(path)
        )
        assert r.status_code in (400, 404), (path, r.status_code)
        if path.startswith("/api/"):
            assert r.json()["error"]["code"] in ("bad_input", "not_found")
        else:
            assert "无法处理的字符" in r.text or "没有找到" in r.text
