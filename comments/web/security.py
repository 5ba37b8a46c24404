"""Request body limits, security headers, CSRF tokens and the client address."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "csrftoken"
CSRF_FIELD = "csrf_token"

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class BodyTooLarge(Exception):
    pass


class LimitsMiddleware:
    """Refuses bodies over the limit (413) and adds the security headers to every response.

    Uploads (paths ending in ``/upload``) get the upload limit; everything else the body limit.
    """

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.max_upload if path.endswith("/upload") else self.max_body
        declared = content_length(scope)
        if declared is not None and declared > limit:
            await too_large(scope, send, limit)
            return
        received = 0
        response_started = False
        # With a declared length within the limit the server itself never delivers more than
        # that: only a body of unknown length (chunked) needs counting.
        counted = declared is None

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                message = with_security_headers(message)
            await send(message)

        try:
            await self.app(scope, limited_receive if counted else receive, send_with_headers)
        except BodyTooLarge:
            if not response_started:
                await too_large(scope, send, limit)


def route_path(scope: Scope) -> str:
    """The path inside this application: without the prefix it is mounted under, if any."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("/", ""):
        return path[len(root) :]
    return path


def is_api(scope: Scope) -> bool:
    """Whether a request is for the JSON API (errors as JSON) rather than a page."""
    return route_path(scope).startswith("/api/")


_SECURITY_NAMES = frozenset(name for name, _ in SECURITY_HEADERS)


def with_security_headers(message: Message) -> Message:
    """A ``http.response.start`` message with every security header it does not already set."""
    headers = list(message.get("headers", ()))
    # Most responses set none of them (the comment post's 201 among them): all four go on.
    if any(name.lower() in _SECURITY_NAMES for name, _ in headers):
        present = {name.lower() for name, _ in headers}
        headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
    else:
        headers.extend(SECURITY_HEADERS)
    return {**message, "headers": headers}


def content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def too_large(scope: Scope, send: Send, limit: int) -> None:
    message = f"请求内容过大（上限 {limit // 1024} KB）。"
    if is_api(scope):
        body = json.dumps(
            {"error": {"code": "body_too_large", "message": message}}, ensure_ascii=False
        ).encode()
        content_type = b"application/json"
    else:
        root = html.escape(scope.get("root_path", ""))
        body = (
            "<!doctype html><html lang=zh-CN><meta charset=utf-8>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="stylesheet" href="{root}/static/site.css"><title>请求过大</title>'
            f'<main id="main"><h1>提交的内容过大</h1><p>{message}'
            "请返回上一页删减后再提交（已填写的内容通常仍在页面上）。</p>"
            f'<p><a href="{root}/">返回首页</a></p></main>'
        ).encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def cross_site(scope: Scope, allowed: frozenset[str]) -> bool:
    """Whether a browser sent this request from a page of another site (not one of ``allowed``).

    Browsers send ``Origin`` on a cross-origin POST (``fetch``, forms, ``sendBeacon``) and
    ``Sec-Fetch-Site``; scripts and other systems send neither, and are not browsers acting for a
    visitor who did not mean to post.
    """
    origin = header(scope, b"origin")
    if origin is not None and origin != "null":
        if origin in allowed:
            return False
        host = header(scope, b"host") or ""
        return origin.split("://", 1)[-1] != host
    if origin == "null":  # a sandboxed frame or a data: page
        return True
    return header(scope, b"sec-fetch-site") == "cross-site"


def client_address(request: Request) -> str:
    client = request.scope.get("client")
    return str(client[0]) if client else "unknown"


def csrf_pair(secret: str, cookie_value: str | None) -> tuple[str, str]:
    """(cookie value, form token) — a new cookie value when there is none yet."""
    value = cookie_value or secrets.token_urlsafe(16)
    return value, _sign(secret, value)


def csrf_ok(secret: str, cookie_value: str | None, token: Any) -> bool:
    if not cookie_value or not isinstance(token, str):
        return False
    return hmac.compare_digest(_sign(secret, cookie_value), token)


def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]
