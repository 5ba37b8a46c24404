"""``POST /api/drafts/{slug}/comments`` as plain ASGI: the hot path of the service.

Every other request goes through Starlette's middleware, router and Request/Response objects;
a comment post is served by ``post_comment`` below, which ``CommentsApp`` calls before any of
that (the same function is also the route's endpoint, so routing a post the long way gives the
same answer). It does what the middleware would do for it — the body limit (413) and the
security headers — and hands every error to the application's own exception handlers, so the
error envelope, ``Retry-After`` and status codes are those of every other endpoint.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from comments.errors import InputError
from comments.web import common as web
from comments.web.security import (
    SECURITY_HEADERS,
    BodyTooLarge,
    content_length,
    too_large,
    with_security_headers,
)

log = logging.getLogger("comments.web")

PREFIX = "/api/drafts/"
SUFFIX = "/comments"


class ClientGone(Exception):
    pass


async def read_body(receive: Receive, limit: int) -> bytes:
    """The request body, refusing it as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def post_comment(scope: Scope, receive: Receive, send: Send) -> None:
    app: Starlette = scope["app"]
    state: web.State = app.state.comments
    limit = state.settings.max_body_bytes
    declared = content_length(scope)
    if declared is not None and declared > limit:
        await too_large(scope, send, limit)
        return
    try:
        raw = await read_body(receive, limit)
        body = await _accept(state, scope, raw)
    except BodyTooLarge:
        await too_large(scope, send, limit)
        return
    except ClientGone:
        return
    except Exception as exc:
        await _error(app, scope, receive, send, exc)
        return
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _accept(state: web.State, scope: Scope, raw: bytes) -> bytes:
    """Validate, count against the limits, commit; the 201 body."""
    slug: str = scope["path_params"]["slug"]
    snapshot = await state.snapshot(slug)
    if snapshot is None:
        raise InputError("not_found", f"没有找到草案 {slug[:80]!r}。", status=404)
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting bombs
        raise InputError("invalid_json", "请求体不是有效的 JSON。") from None
    if not isinstance(payload, dict):
        raise InputError("invalid_json", "请求体应为 JSON 对象。")
    client = scope.get("client")
    row = await web.admit_comment(state, snapshot, payload, client[0] if client else "unknown")
    stored = await state.writer.submit(row)
    # Every value is ours (an integer, a receipt from the base32 alphabet, an ISO time):
    # nothing to escape, so the JSON is written directly.
    return (
        f'{{"id":{int(stored.id)},"receipt":"{stored.receipt}",'
        f'"url":"/receipts/{stored.receipt}","created_at":"{stored.created_at.isoformat()}"}}'
    ).encode()


async def _error(
    app: Starlette, scope: Scope, receive: Receive, send: Send, exc: Exception
) -> None:
    """Answer through the application's exception handlers, as Starlette would."""
    handler: Any = None
    for cls in type(exc).__mro__:
        handler = app.exception_handlers.get(cls)
        if handler is not None:
            break
    if handler is None:  # pragma: no cover - create_app registers a handler for Exception
        raise exc
    response = await handler(Request(scope, receive), exc)

    async def send_secure(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = with_security_headers(message)
        await send(message)

    if handler is app.exception_handlers.get(Exception):
        # Not an expected error: logged with its traceback, as Starlette logs any other.
        log.error("Exception in comment post", exc_info=exc)
    await response(scope, receive, send_secure)


class CommentsApp(Starlette):
    """The Starlette application, with the comment post taken before the middleware stack."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path: str = scope["path"]
            if path.startswith(PREFIX) and path.endswith(SUFFIX):
                slug = path[len(PREFIX) : -len(SUFFIX)]
                if slug and "/" not in slug:
                    scope["app"] = self
                    scope["path_params"] = {"slug": slug}
                    await post_comment(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)
