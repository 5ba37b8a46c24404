"""Login and logout, the list of drafts, upload and preview, edits, publish / close / extend."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comments import auth, period, storage, views
from comments.drafts import DraftParseError, parse_bytes
from comments.errors import InputError
from comments.intake import client_hash
from comments.storage import publications, review
from comments.storage.models import Draft
from comments.web.common import form_values, read_form, state_of
from comments.web.drafter.common import (
    Caller,
    check_csrf,
    guarded_draft,
    parse_date,
    protected,
    protected_upload,
    render,
)
from comments.web.security import CSRF_COOKIE, client_address, csrf_pair

UPLOAD_SUFFIXES = (".txt", ".md", ".docx")


def _safe_next(raw: str | None) -> str:
    """Only local paths, so the login form cannot send anyone elsewhere."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/drafter"


async def login_page(request: Request) -> Response:
    return render(
        request,
        "drafter/login.html",
        error=None,
        name="",
        next_url=_safe_next(request.query_params.get("next")),
    )


def _refused(request: Request, exc: InputError, name: str, next_url: str) -> Response:
    """The login page with why the attempt was refused (429 with Retry-After when over a limit)."""
    response = render(
        request,
        "drafter/login.html",
        status=exc.status,
        error=exc.message,
        name=name,
        next_url=next_url,
    )
    if exc.retry_after:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def login_submit(request: Request) -> Response:
    state = state_of(request)
    address = client_address(request)
    try:
        # Counted first: an address over its limit costs no form parsing (a flood's usual case).
        await state.logins.admit(address)
    except InputError as exc:
        return _refused(request, exc, "", _safe_next(request.query_params.get("next")))
    values = await check_csrf(request)
    name = values.get("name", "").strip()
    password = values.get("password", "")
    next_url = _safe_next(values.get("next"))
    if not name or not password:
        return render(
            request,
            "drafter/login.html",
            status=400,
            error="请填写用户名和密码。",
            name=name,
            next_url=next_url,
        )

    client = client_hash(state.secret, address)

    def attempt() -> auth.LoginResult:
        with state.session() as session:
            result = auth.login(session, name, password, client=client)
            if result.drafter is not None:
                storage.audit(
                    session, actor=result.drafter.name, action="login", target="", detail=""
                )
                session.commit()
                session.refresh(result.drafter)
            return result

    try:
        result = await state.logins.check(attempt)
    except InputError as exc:
        return _refused(request, exc, name, next_url)
    if result.drafter is None:
        if result.wait_seconds:
            minutes = (result.wait_seconds + 59) // 60
            error, status = f"登录失败次数过多，账号已暂时锁定，请 {minutes} 分钟后再试。", 429
        else:
            error, status = "用户名或密码不正确。", 401
        return render(
            request, "drafter/login.html", status=status, error=error, name=name, next_url=next_url
        )
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        auth.session_value(state.secret, result.drafter),
        max_age=auth.SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    # A new CSRF secret with the new session: a token seen before logging in is worth nothing.
    response.set_cookie(
        CSRF_COOKIE,
        csrf_pair(state.secret, None)[0],
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@protected
async def logout(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    value = request.cookies.get(auth.SESSION_COOKIE)

    def end() -> None:
        with state.session() as session:
            auth.end_session(session, state.secret, value)

    await run_in_threadpool(end)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, httponly=True, samesite="lax")
    return response


@protected
async def dashboard(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    today = period.today_in(state.settings.timezone)

    def load() -> list[dict[str, Any]]:
        with state.session() as session:
            return [
                views.draft_summary(s.draft, s.comments, today)
                | {"organisation": s.draft.organisation}
                for s in storage.list_drafts(session, include_unpublished=True)
                if auth.may_act(caller.drafter, s.draft)
            ]

    drafts = await run_in_threadpool(load)
    return render(request, "drafter/dashboard.html", caller=caller, drafts=drafts)


def _upload_form(
    request: Request,
    caller: Caller,
    *,
    values: dict[str, str],
    error: str | None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "drafter/upload.html",
        status=status,
        caller=caller,
        values=values,
        error=error,
        max_mb=state_of(request).settings.max_upload_bytes // (1024 * 1024),
    )


@protected
async def upload_page(request: Request, caller: Caller) -> Response:
    return _upload_form(request, caller, values={}, error=None)


@protected_upload(1)
async def upload_submit(request: Request, caller: Caller) -> Response:
    form = await read_form(request)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    upload = form.get("file")
    try:
        return await _import_upload(request, caller, values, upload)
    finally:
        await form.close()  # the spooled upload file


async def _import_upload(
    request: Request, caller: Caller, values: dict[str, str], upload: object
) -> Response:
    state = state_of(request)
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("missing_file", "请选择要上传的草案文件（.txt、.md 或 .docx）。")
        filename = upload.filename
        if not filename.lower().endswith(UPLOAD_SUFFIXES):
            raise InputError("bad_file_type", "只支持 .txt、.md 和 .docx 格式的草案文件。")
        data = await upload.read()
        if not data:
            raise InputError("empty_file", f"{filename}：文件是空的。")
        deadline = parse_date(values.get("deadline"))
        today = period.today_in(state.settings.timezone)
        organisation = caller.drafter.organisation
        if caller.drafter.role == "admin" and values.get("organisation", "").strip():
            organisation = values["organisation"].strip()[:200]
        if not organisation:
            raise InputError("missing_organisation", "请填写草案所属的起草单位。")
        slug = values.get("slug", "").strip() or None
        title = values.get("title", "").strip() or None

        def save() -> Draft:
            try:
                tree = parse_bytes(
                    data, filename=filename, max_bytes=state.settings.max_upload_bytes
                )
            except DraftParseError as exc:
                raise InputError("parse_error", str(exc)) from None
            with state.session() as session:
                return storage.import_draft(
                    session=session,
                    tree=tree,
                    source_name=filename,
                    slug=slug,
                    title=title,
                    deadline=deadline,
                    organisation=organisation,
                    status="unpublished",
                    actor=caller.drafter.name,
                    today=today,
                )

        draft = await run_in_threadpool(save)
    except InputError as exc:
        return _upload_form(request, caller, values=values, error=exc.message, status=exc.status)
    return RedirectResponse(f"/drafter/drafts/{draft.slug}", status_code=303)


def _draft_context(request: Request, draft: Draft) -> dict[str, Any]:
    state = state_of(request)
    today = period.today_in(state.settings.timezone)
    assert draft.id is not None
    with state.session() as session:
        counts = storage.comment_counts(session, draft.id)
        clauses = storage.clauses_of(session, draft.id)
        pending = storage.status_counts(session, draft.id).get("pending", 0)
        decisions = review.decision_count(session, draft.id)
        published = publications.latest_number(session, draft.id)
    return {
        "draft": draft,
        "summary": views.draft_summary(draft, sum(counts.values()), today),
        "tree": views.build_tree(clauses, counts),
        "clause_count": len(clauses),
        "pending": pending,
        "decision_count": decisions,
        "published": published,
        "today": today,
    }


def _done_notice(done: str | None, draft: Draft) -> str | None:
    """What the last action did, said in full (the page after the redirect shows it)."""
    deadline = draft.deadline.isoformat() if draft.deadline else None
    if done == "published":
        if deadline:
            return f"已发布，征求意见截止到 {deadline}。"
        return "已发布，未设截止日期（长期开放）。"
    if done == "closed":
        return "已结束征求意见。"
    if done == "extended" and deadline:
        return f"已延长到 {deadline}。"
    if done == "edited":
        return "已保存标题和截止日期。"
    return None


OPEN_ENDED_MESSAGE = (
    "这份草案没有截止日期，发布后将一直显示为“长期开放”。"
    "请先在上方填写截止日期，或勾选“确认不设截止日期”后再发布。"
)
DONE = {"publish": "published", "close": "closed", "extend": "extended"}


async def _draft_page(
    request: Request, caller: Caller, draft: Draft, *, error: str | None = None, status: int = 200
) -> Response:
    context = await run_in_threadpool(_draft_context, request, draft)
    return render(
        request,
        "drafter/draft.html",
        status=status,
        caller=caller,
        error=error,
        notice=_done_notice(request.query_params.get("done"), draft),
        **context,
    )


@protected
async def draft_page(request: Request, caller: Caller) -> Response:
    draft = await guarded_draft(request, caller)
    return await _draft_page(request, caller, draft)


@protected
async def draft_edit(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    values = await form_values(request)
    try:
        deadline = parse_date(values.get("deadline"))

        def save() -> None:
            with state.session() as session:
                row = storage.draft_by_id(session, draft.id)
                assert row is not None
                storage.update_draft(
                    session=session,
                    draft=row,
                    title=values.get("title", ""),
                    deadline=deadline,
                    today=period.today_in(state.settings.timezone),
                    actor=caller.drafter.name,
                )

        await run_in_threadpool(save)
    except InputError as exc:
        return await _draft_page(request, caller, draft, error=exc.message, status=exc.status)
    state.intake.forget(draft.slug)
    return RedirectResponse(f"/drafter/drafts/{draft.slug}?done=edited", status_code=303)


@protected
async def draft_period(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    values = await form_values(request)
    action = values.get("action", "")
    try:
        deadline = parse_date(values.get("deadline"), field="新的截止日期")
        if (
            action == "publish"
            and draft.status == "unpublished"
            and draft.deadline is None
            and values.get("open_ended") != "1"
        ):
            raise InputError("no_deadline", OPEN_ENDED_MESSAGE)
        if action == "close" and values.get("confirm") != "1":
            raise InputError("not_confirmed", "请勾选“确认立即结束”后再结束征求意见。")

        def save() -> None:
            with state.session() as session:
                row = storage.draft_by_id(session, draft.id)
                assert row is not None
                storage.set_period(
                    session=session,
                    draft=row,
                    action=action,
                    today=period.today_in(state.settings.timezone),
                    actor=caller.drafter.name,
                    deadline=deadline,
                )

        await run_in_threadpool(save)
    except InputError as exc:
        return await _draft_page(request, caller, draft, error=exc.message, status=exc.status)
    state.intake.forget(draft.slug)
    done = DONE.get(action, "")
    return RedirectResponse(f"/drafter/drafts/{draft.slug}?done={done}", status_code=303)
