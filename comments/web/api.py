"""JSON API under /api/ (documented in /api/openapi.json and the README)."""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from analysis import Digest
from comments import corrections, messages, period, storage, views
from comments.errors import InputError
from comments.intake import normalise_receipt
from comments.storage import corrections as stored_corrections
from comments.storage.models import Draft
from comments.web import common as web
from comments.web import openapi as openapi_doc
from comments.web.drafter.common import Caller, fresh_digest, load_draft, protected
from comments.web.security import client_address, cross_site, header


async def list_drafts(request: Request) -> Response:
    state = web.state_of(request)
    today = period.today_in(state.settings.timezone)

    def load() -> list[dict[str, Any]]:
        with state.session() as session:
            return [
                views.draft_summary(s.draft, s.comments, today)
                for s in storage.list_drafts(session)
            ]

    return JSONResponse({"drafts": await run_in_threadpool(load)})


async def get_draft(request: Request) -> Response:
    state = web.state_of(request)
    slug = request.path_params["slug"]
    today = period.today_in(state.settings.timezone)

    def load() -> dict[str, Any] | None:
        with state.session() as session:
            draft = storage.draft_by_slug(session, slug)
            if draft is None or draft.id is None or draft.status == "unpublished":
                return None
            counts = storage.comment_counts(session, draft.id)
            clauses = storage.clauses_of(session, draft.id)
            data = views.draft_summary(draft, sum(counts.values()), today)
            data["whole_draft_comments"] = counts.get(None, 0)
            data["nodes"] = views.node_dicts(clauses, counts)
            return data

    data = await run_in_threadpool(load)
    if data is None:
        raise messages.draft_not_found()
    return JSONResponse(data)


class _NotFinite(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity`` (or a number too large for a float): not JSON."""


def _no_constant(name: str) -> Any:
    raise _NotFinite(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400
        raise _NotFinite(text)
    return value


# The decoder json.loads would build on every call for these options, built once.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def parse_json(raw: bytes) -> Any:
    """A request body read as JSON (RFC 8259): UTF-8 only, no ``NaN`` or ``Infinity``; a clear
    ``invalid_json`` 400 saying what is wrong otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("invalid_json", "请求体不是 UTF-8 编码的 JSON。") from None
    if text.startswith("\ufeff"):  # one leading byte order mark is allowed, as before
        text = text[1:]
    try:
        return _DECODER.decode(text)
    except _NotFinite:
        raise InputError(
            "invalid_json", "请求体不是有效的 JSON（不接受 NaN、Infinity 和超出范围的数）。"
        ) from None
    except RecursionError:  # nesting bombs
        raise InputError("invalid_json", "请求体的 JSON 嵌套过深。") from None
    except ValueError:
        raise InputError("invalid_json", "请求体不是有效的 JSON。") from None


async def json_object(request: Request, state: web.State) -> dict[str, Any]:
    """The JSON object a POST carries: 415 unless ``application/json``, 403 from another site."""
    content_type = header(request.scope, b"content-type") or ""
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise InputError("unsupported_media_type", "请以 application/json 格式提交。", status=415)
    if cross_site(request.scope, state.settings.origins):
        raise InputError("cross_site", "不接受从其他网站的页面提交的意见。", status=403)
    payload = parse_json(await web.read_body(request))
    if not isinstance(payload, dict):
        raise InputError("invalid_json", "请求体应为 JSON 对象。")
    return payload


async def post_comment(request: Request) -> Response:
    """``POST /api/drafts/{slug}/comments``: 201 with the receipt once the comment is committed.

    The busiest endpoint, behind the same middleware as every other (the body limit, the
    security headers, the error handlers).
    """
    state = web.state_of(request)
    payload = await json_object(request, state)
    key = header(request.scope, b"idempotency-key")
    if key is not None and "idempotency_key" not in payload:
        payload["idempotency_key"] = key
    stored = await state.intake.take(request.path_params["slug"], payload, client_address(request))
    # Every value is ours (an integer, a receipt from the base32 alphabet, an ISO time, a
    # status word): nothing to escape, so the JSON is written directly. A held comment says why.
    held = ""
    if stored.status == "pending":
        reason = views.hold_reason_of(str(payload.get("body", "")))
        held = f',"held_because":{json.dumps(reason, ensure_ascii=False)}'
    body = (
        f'{{"id":{int(stored.id)},"receipt":"{stored.receipt}",'
        f'"url":"/receipts/{stored.receipt}","created_at":"{stored.created_at.isoformat()}",'
        f'"status":"{stored.status}"{held}}}'
    )
    return Response(body, status_code=201, media_type="application/json")


async def get_receipt(request: Request) -> Response:
    state = web.state_of(request)
    receipt = normalise_receipt(request.path_params["receipt"])
    if receipt is None:
        raise messages.bad_receipt()

    def load() -> dict[str, Any] | None:
        with state.session() as session:
            found = storage.comment_by_receipt(session, receipt)
            return views.receipt_dict(*found) if found else None

    data = await run_in_threadpool(load)
    if data is None:
        raise messages.receipt_not_found(receipt)
    return JSONResponse(data)


def _digest_for(request: Request, caller: Caller) -> Any:
    """The fresh digest of the draft in the path, if the caller may read it (run in a thread)."""
    return fresh_digest(request, load_draft(request, caller))


@protected
async def get_digest(request: Request, caller: Caller) -> Response:
    digest = await run_in_threadpool(_digest_for, request, caller)
    return JSONResponse(digest.to_dict())


@protected
async def get_digest_markdown(request: Request, caller: Caller) -> Response:
    from analysis import render_digest_markdown

    digest = await run_in_threadpool(_digest_for, request, caller)
    text = await run_in_threadpool(render_digest_markdown, digest)
    return Response(text, media_type="text/markdown; charset=utf-8")


def _digest_to_correct(request: Request, draft: Draft, payload: Any) -> Digest:
    """The digest a correction is recorded against. A comment's own fields (no point named)
    need only that comment's reading, the "before" of the audit row: the last digest kept
    serves while it holds the comment and nobody has corrected the comment since, so a script
    correcting comment after comment does not wait for the whole draft to be recomputed after
    each. A point needs the current digest."""
    state = web.state_of(request)
    kept = state.digests.latest(draft.id) if draft.id is not None else None
    comment = payload.get("comment") if isinstance(payload, dict) else None
    if (
        kept is not None
        and isinstance(comment, int)
        and "cluster" not in payload
        and any(n.id == comment for n in kept.digest.comments)
    ):
        with state.session() as session:
            rows = stored_corrections.corrections_of(session, draft.id, str(comment))  # type: ignore[arg-type]
        if all((row.id or 0) <= kept.fingerprint.corrections for row in rows):
            return kept.digest
    return fresh_digest(request, draft)


@protected
async def post_correction(request: Request, caller: Caller) -> Response:
    """``POST /api/drafts/{slug}/corrections``: 201 with the stored corrections."""
    state = web.state_of(request)
    payload = await json_object(request, state)

    def run() -> list[dict[str, Any]]:
        draft = load_draft(request, caller)
        digest = _digest_to_correct(request, draft, payload)
        with state.session() as session:
            rows = corrections.correct(session, draft, digest, caller.drafter.name, payload)
            return [corrections.correction_dict(row) for row in rows]

    return JSONResponse({"corrections": await run_in_threadpool(run)}, status_code=201)


@protected
async def list_corrections(request: Request, caller: Caller) -> Response:
    """``GET /api/drafts/{slug}/corrections``: every correction of the draft, oldest first."""
    state = web.state_of(request)

    def load() -> list[dict[str, Any]]:
        draft = load_draft(request, caller)
        assert draft.id is not None
        with state.session() as session:
            rows = stored_corrections.corrections_of(session, draft.id)
            return [corrections.correction_dict(row) for row in rows]

    return JSONResponse({"corrections": await run_in_threadpool(load)})


async def openapi(request: Request) -> Response:
    state = web.state_of(request)
    return JSONResponse(openapi_doc.document(state.settings.max_comment_chars))


routes = [
    # First: the comment post is the hot path of route matching.
    Route("/api/drafts/{slug}/comments", post_comment, methods=["POST"]),
    Route("/api/openapi.json", openapi),
    Route("/api/drafts", list_drafts),
    Route("/api/drafts/{slug}", get_draft),
    Route("/api/receipts/{receipt}", get_receipt),
    Route("/api/drafts/{slug}/digest", get_digest),
    Route("/api/drafts/{slug}/digest.md", get_digest_markdown),
    Route("/api/drafts/{slug}/corrections", post_correction, methods=["POST"]),
    Route("/api/drafts/{slug}/corrections", list_corrections),
]
