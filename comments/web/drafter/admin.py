"""Admin pages: drafter accounts (create, disable, reset) and the audit log."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comments import exports, storage
from comments.auth import require_admin
from comments.errors import InputError
from comments.web.common import form_values, state_of
from comments.web.drafter.common import Caller, parse_int, protected, render

AUDIT_PAGE = 200


def _accounts(request: Request) -> list[Any]:
    with state_of(request).session() as session:
        return storage.all_drafters(session)


async def _accounts_page(
    request: Request,
    caller: Caller,
    *,
    error: str | None = None,
    secrets: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    drafters = await run_in_threadpool(_accounts, request)
    return render(
        request,
        "drafter/admin_drafters.html",
        status=status,
        caller=caller,
        drafters=drafters,
        error=error,
        secrets=secrets,
    )


@protected
async def drafters_page(request: Request, caller: Caller) -> Response:
    require_admin(caller.drafter)
    return await _accounts_page(request, caller)


@protected
async def create_drafter(request: Request, caller: Caller) -> Response:
    require_admin(caller.drafter)
    values = await form_values(request)

    def save() -> tuple[str, str, str]:
        organisation = values.get("organisation", "").strip()
        role = values.get("role", "drafter")
        if role == "drafter" and not organisation:
            raise InputError("missing_organisation", "起草人员必须填写所属单位。")
        if len(organisation) > 200:
            raise InputError("organisation_too_long", "单位名称不能超过 200 个字。")
        with state_of(request).session() as session:
            drafter, password, token = storage.add_drafter_as(
                session=session,
                actor=caller.drafter.name,
                name=values.get("name", ""),
                organisation=organisation,
                role=role,
            )
        return drafter.name, password, token

    try:
        name, password, token = await run_in_threadpool(save)
    except InputError as exc:
        return await _accounts_page(request, caller, error=exc.message, status=exc.status)
    return await _accounts_page(
        request, caller, secrets={"name": name, "password": password, "token": token}
    )


@protected
async def set_active(request: Request, caller: Caller) -> Response:
    require_admin(caller.drafter)
    drafter_id = parse_int(request.path_params["id"], what="账号")
    values = await form_values(request)

    def save() -> None:
        with state_of(request).session() as session:
            storage.set_drafter_active(
                session=session,
                drafter_id=drafter_id,
                active=values.get("active") == "1",
                actor=caller.drafter.name,
            )

    await run_in_threadpool(save)
    return RedirectResponse("/drafter/admin/drafters", status_code=303)


@protected
async def reset(request: Request, caller: Caller) -> Response:
    require_admin(caller.drafter)
    drafter_id = parse_int(request.path_params["id"], what="账号")

    def save() -> tuple[str, str, str]:
        with state_of(request).session() as session:
            drafter, password, token = storage.reset_drafter(
                session=session, drafter_id=drafter_id, actor=caller.drafter.name
            )
        return drafter.name, password, token

    name, password, token = await run_in_threadpool(save)
    return await _accounts_page(
        request, caller, secrets={"name": name, "password": password, "token": token}
    )


@protected
async def audit_page(request: Request, caller: Caller) -> Response:
    require_admin(caller.drafter)
    page = max(1, parse_int(request.query_params.get("page") or "1", what="页码"))

    def load() -> list[Any]:
        with state_of(request).session() as session:
            return storage.audit_log(session, limit=AUDIT_PAGE + 1, offset=(page - 1) * AUDIT_PAGE)

    rows = await run_in_threadpool(load)
    return render(
        request,
        "drafter/admin_audit.html",
        caller=caller,
        rows=rows[:AUDIT_PAGE],
        page=page,
        more=len(rows) > AUDIT_PAGE,
    )


@protected
async def audit_csv(request: Request, caller: Caller) -> Response:
    require_admin(caller.drafter)
    state = state_of(request)

    def load() -> str:
        with state.session() as session:
            rows = storage.audit_log(session, limit=1_000_000)
        return exports.audit_csv(rows, state.settings.timezone)

    text = await run_in_threadpool(load)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": 'attachment; filename="audit.csv"',
            "cache-control": "no-store",
        },
    )
