"""Public pages: server-rendered HTML that works without JavaScript."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from analysis import mask_pii
from comments import messages, period, storage, views
from comments.errors import InputError
from comments.intake import normalise_receipt
from comments.storage import publications
from comments.storage.models import SUBMITTER_TYPES
from comments.web.common import (
    MULTIPART,
    URLENCODED,
    error_response,
    form_media_type,
    form_values,
    state_of,
)
from comments.web.security import CSRF_COOKIE, CSRF_FIELD, client_address, csrf_ok, csrf_pair


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    state = state_of(request)
    cookie, token = csrf_pair(state.secret, request.cookies.get(CSRF_COOKIE))
    html = state.templates.get_template(template).render(
        request=request, csrf_token=token, csrf_field=CSRF_FIELD, **context
    )
    response = HTMLResponse(html, status_code=status)
    if request.cookies.get(CSRF_COOKIE) != cookie:
        response.set_cookie(
            CSRF_COOKIE, cookie, httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )
    return response


async def index(request: Request) -> Response:
    state = state_of(request)
    today = period.today_in(state.settings.timezone)

    def load() -> list[dict[str, Any]]:
        with state.session() as session:
            return [
                views.draft_summary(s.draft, s.comments, today)
                for s in storage.list_drafts(session)
            ]

    drafts = await run_in_threadpool(load)
    open_drafts = [d for d in drafts if d["period"] in ("open", "not_yet")]
    closed = [d for d in drafts if d["period"] not in ("open", "not_yet")]
    return render(request, "index.html", open_drafts=open_drafts, closed_drafts=closed)


def _load_draft(request: Request, slug: str) -> dict[str, Any] | None:
    state = state_of(request)
    today = period.today_in(state.settings.timezone)
    with state.session() as session:
        draft = storage.draft_by_slug(session, slug)
        if draft is None or draft.id is None or draft.status == "unpublished":
            return None
        counts = storage.comment_counts(session, draft.id)
        clauses = storage.clauses_of(session, draft.id)
        return {
            "draft": draft,
            "summary": views.draft_summary(draft, sum(counts.values()), today),
            "tree": views.build_tree(clauses, counts),
            "clauses": {c.key: c for c in clauses},
            "whole_draft_comments": counts.get(None, 0),
            "has_feedback": publications.has_publication(session, draft.id),
        }


async def draft_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    data = await run_in_threadpool(_load_draft, request, slug)
    if data is None:
        raise messages.draft_not_found()
    return render(
        request,
        "draft.html",
        submitter_types=SUBMITTER_TYPES,
        max_chars=state_of(request).settings.max_comment_chars,
        **data,
    )


async def comment_form(request: Request) -> Response:
    """The comment form on a page of its own: the no-JavaScript path from every clause."""
    slug = request.path_params["slug"]
    data = await run_in_threadpool(_load_draft, request, slug)
    if data is None:
        raise messages.draft_not_found()
    clause_key = request.query_params.get("clause") or None
    if clause_key is not None and clause_key not in data["clauses"]:
        raise InputError("unknown_clause", "草案中没有这个条款。", status=404)
    return _form_page(request, data, clause_key, values={}, error=None)


def _form_page(
    request: Request,
    data: dict[str, Any],
    clause_key: str | None,
    *,
    values: dict[str, Any],
    error: str | None,
    status: int = 200,
) -> Response:
    clause = data["clauses"].get(clause_key) if clause_key else None
    return render(
        request,
        "comment_form.html",
        status=status,
        clause=clause,
        # Cited as the digest and the feedback report cite it ("第5条 优化升级宽带网络").
        clause_title=views.clause_titles(list(data["clauses"].values())).get(
            clause_key, clause_key or ""
        ),
        values=values,
        error=error,
        submitter_types=SUBMITTER_TYPES,
        max_chars=state_of(request).settings.max_comment_chars,
        **data,
    )


async def submit_form(request: Request) -> Response:
    """Form post: on success 303 to the receipt; on bad input the form again, filled in."""
    state = state_of(request)
    slug = request.path_params["slug"]
    if form_media_type(request) not in (URLENCODED, MULTIPART):  # JSON belongs to /api/
        return error_response(
            request, "unsupported_media_type", "提交格式不对：请通过本页的表单提交。", 415
        )
    try:
        values = await form_values(request)
    except InputError as exc:
        if exc.code not in ("bad_encoding", "bad_form"):
            raise
        # Nothing of it can be read back (not even the clause): the form again, empty.
        data = await run_in_threadpool(_load_draft, request, slug)
        if data is None:
            raise messages.draft_not_found() from None
        return _form_page(request, data, None, values={}, error=exc.message, status=exc.status)
    if not csrf_ok(state.secret, request.cookies.get(CSRF_COOKIE), values.get(CSRF_FIELD)):
        return error_response(request, "csrf", "表单已过期，请返回草案页面刷新后重新提交。", 403)
    clause_key = values.get("clause") or None
    try:
        stored = await state.intake.take(slug, values, client_address(request))
    except InputError as exc:
        if exc.code in ("unknown_clause", "not_found"):
            raise
        if exc.status == 503:  # the database is not answering: the form cannot be read back
            return error_response(
                request, exc.code, exc.message, exc.status, retry_after=exc.retry_after
            )
        data = await run_in_threadpool(_load_draft, request, slug)
        assert data is not None
        return _form_page(
            request, data, clause_key, values=values, error=exc.message, status=exc.status
        )
    return RedirectResponse(f"/receipts/{stored.receipt}?new=1", status_code=303)


async def receipt_page(request: Request) -> Response:
    state = state_of(request)
    receipt = normalise_receipt(request.path_params["receipt"])
    if receipt is None:
        raise messages.bad_receipt()

    def load() -> dict[str, Any] | None:
        with state.session() as session:
            found = storage.comment_by_receipt(session, receipt)
            if not found:
                return None
            comment, draft = found
            assert draft.id is not None
            # Cited as the digest and the feedback report cite it ("第5条 优化升级宽带网络").
            titles = views.clause_titles(storage.clauses_of(session, draft.id))
            return {
                "comment": comment,
                "body": mask_pii(comment.body),  # anyone holding the receipt sees the page
                "draft": draft,
                "clause_title": titles.get(comment.clause_key, comment.clause_key or ""),
                "status_label": views.STATUS_LABELS.get(comment.status, comment.status),
                "held_because": views.held_because(comment),
                "created_local": views.local_time(comment.created_at, state.settings.timezone),
                # Only what the drafters published: recorded decisions stay internal until then.
                "decision": publications.published_decision(session, comment),
                "feedback_published": draft.id is not None
                and publications.has_publication(session, draft.id),
            }

    data = await run_in_threadpool(load)
    if data is None:
        raise messages.receipt_not_found(receipt)
    return render(request, "receipt.html", new=request.query_params.get("new") == "1", **data)


async def receipt_lookup(request: Request) -> Response:
    raw = request.query_params.get("receipt", "")
    if raw:
        receipt = normalise_receipt(raw)
        if receipt is None:
            return render(
                request,
                "lookup.html",
                status=400,
                value=raw,
                error=messages.BAD_RECEIPT,
            )
        return RedirectResponse(f"/receipts/{receipt}", status_code=303)
    return render(request, "lookup.html", value="", error=None)


async def privacy_page(request: Request) -> Response:
    days = state_of(request).settings.contact_retention_days
    return render(request, "privacy.html", retention_days=days)


routes = [
    Route("/", index),
    Route("/drafts/{slug}", draft_page),
    Route("/drafts/{slug}/comment", comment_form),
    Route("/drafts/{slug}/comments", submit_form, methods=["POST"]),
    Route("/receipts", receipt_lookup),
    Route("/receipts/{receipt}", receipt_page),
    Route("/privacy", privacy_page),
]
