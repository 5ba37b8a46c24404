"""State shared by requests, and the one error shape."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from comments.auth import LoginGate
from comments.digests import DigestService
from comments.errors import InputError
from comments.intake import Intake
from comments.settings import Settings
from comments.web.security import is_api

PACKAGE = Path(__file__).resolve().parents[1]
STATIC = PACKAGE.parent / "static"


@dataclass
class State:
    settings: Settings
    engine: Engine
    secret: str
    intake: Intake
    logins: LoginGate
    templates: jinja2.Environment
    digests: DigestService

    def session(self) -> Session:
        return Session(self.engine)

    def close(self) -> None:
        """Stop intake (after the writer has committed what is queued) and the background
        analyses. The engine belongs to whoever made it."""
        self.intake.close()
        self.logins.close()
        self.digests.close()


@dataclass(frozen=True)
class FormLimits:
    """What one posted form may hold. Starlette parses a request's form once and keeps it, so
    the limits must reach that one parse, whoever asks first (the CSRF check, usually)."""

    max_files: int = 0
    max_fields: int = 500  # a point page's split form sends up to 200 members
    max_part_size: int = 64 * 1024  # one text field; uploaded files are spooled, not counted


FORM = FormLimits()


def expect_form(request: Request, limits: FormLimits) -> None:
    """Declare the limits of the form this request may post (before anything reads it)."""
    request.state.form_limits = limits


async def read_form(request: Request) -> FormData:
    """The posted form, parsed once within the limits declared for the route (``FORM`` unless
    ``expect_form`` said otherwise); over a limit, a clear 400."""
    limits: FormLimits = getattr(request.state, "form_limits", FORM)
    try:
        return await request.form(
            max_files=limits.max_files,
            max_fields=limits.max_fields,
            max_part_size=limits.max_part_size,
        )
    except HTTPException as exc:
        raise InputError("bad_form", _form_refusal(str(exc.detail), limits)) from None


def _form_refusal(detail: str, limits: FormLimits) -> str:
    if detail.startswith("Too many files"):
        if limits.max_files == 0:
            return "这个表单不接受上传文件。"
        return f"一次最多上传 {limits.max_files} 个文件，请分批上传。"
    if detail.startswith("Too many fields"):
        return f"表单内容项过多（上限 {limits.max_fields} 项），请减少后再提交。"
    if "exceeded maximum size" in detail:
        return f"表单中有一项内容过长（上限 {limits.max_part_size // 1024} KB）。"
    return "表单格式不正确，请刷新页面后重新提交。"


async def form_values(request: Request) -> dict[str, str]:
    """The posted form's text fields (uploads left out)."""
    form = await read_form(request)
    return {k: v for k, v in form.items() if isinstance(v, str)}


def state_of(request: Request) -> State:
    return request.app.state.comments  # type: ignore[no-any-return]


def error_response(
    request: Request, code: str, message: str, status: int, *, retry_after: int | None = None
) -> Response:
    """The one error shape: JSON ``{"error": {"code", "message"}}`` under /api, a page elsewhere."""
    headers = {"Retry-After": str(retry_after or 60)} if status in (429, 503) else None
    if is_api(request.scope):
        return JSONResponse(
            {"error": {"code": code, "message": message}}, status_code=status, headers=headers
        )
    state = state_of(request)
    html = state.templates.get_template("error.html").render(
        request=request, status=status, message=message
    )
    return HTMLResponse(html, status_code=status, headers=headers)
