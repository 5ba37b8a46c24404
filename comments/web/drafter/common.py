"""What every drafter route shares: who is asking, CSRF on forms, the draft they may act on."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from analysis import Digest
from comments import auth, messages, storage, views
from comments.errors import InputError
from comments.storage.digest_inputs import Fingerprint
from comments.storage.models import Draft, Drafter
from comments.web.common import (
    FORM,
    FormLimits,
    bearer_token,
    expect_form,
    form_values,
    state_of,
)
from comments.web.security import CSRF_COOKIE, CSRF_FIELD, csrf_ok, csrf_pair


@dataclass(frozen=True)
class Caller:
    """The drafter making the request, and how they proved it (``session`` or ``token``)."""

    drafter: Drafter
    via: str


def _identify(request: Request) -> Caller | None:
    state = state_of(request)
    token = bearer_token(request)
    with state.session() as session:
        if token is not None:
            drafter = storage.drafter_by_token(session, token)
            if drafter is None or not drafter.active:
                raise InputError("bad_token", "API 令牌无效或已停用。", status=401)
            return Caller(drafter, "token")
        drafter = auth.drafter_from_session(
            session, state.secret, request.cookies.get(auth.SESSION_COOKIE)
        )
        return Caller(drafter, "session") if drafter is not None else None


def render(
    request: Request,
    template: str,
    status: int = 200,
    *,
    caller: Caller | None = None,
    **context: Any,
) -> Response:
    """A page with the CSRF token and the logged-in drafter (``me``) in its context."""
    state = state_of(request)
    cookie, token = csrf_pair(state.secret, request.cookies.get(CSRF_COOKIE))
    html = state.templates.get_template(template).render(
        request=request,
        csrf_token=token,
        csrf_field=CSRF_FIELD,
        me=caller.drafter if caller else None,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["cache-control"] = "no-store"
    if request.cookies.get(CSRF_COOKIE) != cookie:
        response.set_cookie(
            CSRF_COOKIE, cookie, httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )
    return response


# Drafts with more comments than this are digested in the background with a progress page.
SYNC_LIMIT = 3000


async def digest_or_progress(
    request: Request, caller: Caller, draft: Draft
) -> tuple[Any, Response | None]:
    """The fresh digest result, or a progress page while a long one is computed.

    Every drafter page that shows the digest asks here first: a draft with up to
    ``SYNC_LIMIT`` comments is digested during the request, a larger one in the background
    while the page shows progress (and reloads itself).
    """
    state = state_of(request)
    service = state.digests
    assert draft.id is not None

    def decide() -> tuple[Any, Any]:
        fresh, mark = service.state(draft.id)
        if fresh is not None:
            return fresh, None
        failed = service.take_failed_job(draft.id)
        if failed is not None:
            return None, failed  # shown once; a reload starts again
        running = service.job(draft.id)
        if (running is None or running.finished) and mark.comments <= SYNC_LIMIT:
            return service.get(draft), None
        job = running if running is not None and not running.finished else service.start(draft)
        return None, job

    result, job = await run_in_threadpool(decide)
    if result is not None:
        return result, None
    if job.error:
        raise InputError("digest_failed", f"汇总分析失败：{job.error}", status=500)
    latest = service.latest(draft.id)
    page = render(
        request,
        "drafter/progress.html",
        caller=caller,
        draft=draft,
        job=job,
        percent=int(100 * job.done / job.total) if job.total else 0,
        stale=latest,
        stale_time=views.local_time(latest.computed_at, state.settings.timezone) if latest else "",
    )
    return None, page


def digest_token(result: Any) -> str:
    """Names the digest a page was built from, so that a form can say which one it acted on."""
    return fingerprint_token(result.fingerprint)


def fingerprint_token(f: Fingerprint) -> str:
    """The token of the digest a fingerprint stands for (``digest_token``), without the digest."""
    return f"{f.comments}.{f.newest}.{f.hidden}.{f.pending}.{f.corrections}"


Handler = Callable[[Request, Caller], Awaitable[Response]]


Endpoint = Callable[[Request], Awaitable[Response]]


def protected(handler: Handler) -> Endpoint:
    """Wrap a drafter route: 401 for anonymous callers (the login form on a page), CSRF on posts.

    Forms posted with a session cookie must carry the CSRF token; requests authenticated by a
    Bearer token carry no ambient credentials and need none. Its forms carry no files.
    """
    return _guarded(handler, FORM)


def protected_upload(max_files: int) -> Callable[[Handler], Endpoint]:
    """``protected`` for a route whose form carries up to ``max_files`` files."""
    return lambda handler: _guarded(handler, FormLimits(max_files=max_files))


def _guarded(handler: Handler, limits: FormLimits) -> Endpoint:
    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        expect_form(request, limits)  # for the one parse, by the CSRF check or the handler
        caller = await run_in_threadpool(_identify, request)
        if caller is None:
            if request.method == "GET" and not request.url.path.startswith("/api/"):
                return render(
                    request,
                    "drafter/login.html",
                    status=401,
                    error="请先登录起草单位账号。",
                    name="",
                    next_url=request.url.path,
                )
            raise InputError("unauthorised", "请先登录起草单位账号。", status=401)
        if request.method == "POST" and caller.via == "session":
            await check_csrf(request)
        return await handler(request, caller)

    return wrapper


async def check_csrf(request: Request) -> dict[str, str]:
    """The posted form's text fields; 403 unless it carries the right CSRF token."""
    values = await form_values(request)
    state = state_of(request)
    if not csrf_ok(state.secret, request.cookies.get(CSRF_COOKIE), values.get(CSRF_FIELD)):
        raise InputError("csrf", "表单已过期，请刷新页面后重新提交。", status=403)
    return values


def load_draft(request: Request, caller: Caller) -> Draft:
    """The draft named in the path, if the caller may act on it (404 / 403 otherwise)."""
    state = state_of(request)
    slug = request.path_params["slug"]
    with state.session() as session:
        draft = storage.draft_by_slug(session, slug)
    if draft is None:
        raise messages.draft_not_found()
    auth.authorise(caller.drafter, draft)
    return draft


async def guarded_draft(request: Request, caller: Caller) -> Draft:
    return await run_in_threadpool(load_draft, request, caller)


def parse_date(raw: str | None, *, field: str = "截止日期") -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):  # 2026-02-30
            raise InputError("bad_date", f"{field}格式不正确：{raw} 不是存在的日期。") from None
        raise InputError("bad_date", f"{field}格式不正确，应为 YYYY-MM-DD。") from None


MAX_ID = 2**63 - 1  # the largest id a database row can have


def parse_int(raw: str | None, *, what: str) -> int:
    """A number from a form or a path: an id or a page, never negative or beyond a row id."""
    try:
        value = int((raw or "").strip())
    except ValueError:
        raise InputError("bad_id", f"{what}编号不正确。") from None
    if not 0 <= value <= MAX_ID:
        raise InputError("bad_id", f"{what}编号不正确。")
    return value


def fresh_digest(request: Request, draft: Draft) -> Digest:
    """The draft's digest, recomputed first if comments changed (call in a thread)."""
    return state_of(request).digests.get(draft).digest


MERGE_FATES = ("moved", "withdrawn")  # what became of a merged point's decision
NEW_POINT_KEY = re.compile(r"[^?#]+:p\d+")


def done_notice(request: Request) -> dict[str, Any]:
    """The context of ``drafter/_done.html``, from the query a correction's redirect wrote
    (``corrections.submit``): saved, what became of a merged point's decision, the point a
    split created; ``merged``: the point asked for was merged into the one shown."""
    query = request.query_params
    fate = query.get("decision", "")
    new = query.get("new", "")
    return {
        "done": query.get("done") == "1",
        "decision_fate": fate if fate in MERGE_FATES else "",
        # Only the key of a point a person started ("{bucket}:p{id}"), linked quoted.
        "new_point": quote(new, safe="") if NEW_POINT_KEY.fullmatch(new) else "",
        "merged_here": query.get("merged") == "1",
    }
