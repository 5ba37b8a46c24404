"""State shared by requests, and the one error shape."""

from __future__ import annotations

import codecs
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import jinja2
from python_multipart.multipart import parse_options_header
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from comments.auth import LoginGate
from comments.digests import DigestService
from comments.errors import InputError
from comments.intake import Intake
from comments.settings import Settings
from comments.web.security import is_api, route_path

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


URLENCODED = b"application/x-www-form-urlencoded"
MULTIPART = b"multipart/form-data"
# What a form's text may be encoded in: UTF-8 (what browsers send for our pages), or a Chinese
# encoding the client names in a ``charset=`` parameter. Each is decoded strictly; an encoding
# that would take any bytes (Latin-1) is no check at all and is refused with the rest.
FORM_CHARSETS = frozenset({"utf-8", "gbk", "gb2312", "gb18030", "big5", "big5hkscs"})
NOT_UTF8 = "提交的内容不是 UTF-8 编码，请用浏览器重新打开本页后提交。"


def form_media_type(request: Request) -> bytes:
    """The media type of the posted body, lowercase, without parameters (b"" when none)."""
    media_type, _ = parse_options_header(request.headers.get("content-type"))
    return media_type


class _NotInCharset(Exception):
    pass


def _form_charset(request: Request) -> str:
    _, params = parse_options_header(request.headers.get("content-type"))
    named = params.get(b"charset", b"utf-8").decode("latin-1")
    try:
        charset = codecs.lookup(named).name
    except LookupError:
        raise _NotInCharset from None
    if charset not in FORM_CHARSETS:
        raise _NotInCharset
    return charset


def _decoded(raw: bytes, charset: str) -> str:
    """A name or value of a urlencoded form: ``+`` and percent escapes undone, then decoded."""
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode(charset)
    except UnicodeDecodeError:
        raise _NotInCharset from None


def _urlencoded(body: bytes, charset: str, limits: FormLimits) -> FormData:
    """A urlencoded form decoded strictly (Starlette's parser reads percent escapes as UTF-8
    with replacement characters, and bytes sent as they are as Latin-1)."""
    items: list[tuple[str, str | UploadFile]] = []
    for field in body.split(b"&"):
        if not field:
            continue
        if len(field) > limits.max_part_size:
            raise InputError("bad_form", _form_refusal("exceeded maximum size", limits))
        if len(items) == limits.max_fields:
            raise InputError("bad_form", _form_refusal("Too many fields", limits))
        name, _, value = field.partition(b"=")
        items.append((_decoded(name, charset), _decoded(value, charset)))
    return FormData(items)


class _StrictMultiPartParser(MultiPartParser):
    """Starlette's multipart parser, except that a text field not in the form's charset is
    refused instead of being read as Latin-1, and a body cut off before its closing boundary
    is refused instead of losing its last field."""

    _ended = False

    async def parse(self) -> FormData:
        form = await super().parse()
        if not self._ended:
            for _, value in form.multi_items():
                if isinstance(value, UploadFile):
                    await value.close()
            raise MultiPartException("Invalid multipart data.")
        return form

    def on_end(self) -> None:
        self._ended = True
        super().on_end()

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None:
            try:
                part.data.decode(self._charset)
            except UnicodeDecodeError:
                raise _NotInCharset from None
        super().on_part_end()


async def read_form(request: Request) -> FormData:
    """The posted form, parsed once within the limits declared for the route (``FORM`` unless
    ``expect_form`` said otherwise); over a limit, a clear 400; text that is not UTF-8 (or
    the Chinese encoding the form names), a 400 ``bad_encoding``: never stored as garbage.
    A body that is not a form reads as an empty form."""
    form: FormData | None = getattr(request.state, "form", None)
    if form is None:
        form = await _parse_form(request)
        request.state.form = form
    return form


async def read_body(request: Request) -> bytes:
    """The whole request body, as ``request.body()`` reads it but without its async generator:
    the comment post reads one message in almost every case."""
    receive = request.receive
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    request._body = body  # where request.body() looks first, should anything read it again
    return body


async def _parse_form(request: Request) -> FormData:
    limits: FormLimits = getattr(request.state, "form_limits", FORM)
    media_type = form_media_type(request)
    if media_type not in (URLENCODED, MULTIPART):
        return FormData()
    try:
        charset = _form_charset(request)
        if media_type == URLENCODED:
            return _urlencoded(await read_body(request), charset, limits)
        async with aclosing(request.stream()) as stream:
            parser = _StrictMultiPartParser(
                request.headers,
                stream,
                max_files=limits.max_files,
                max_fields=limits.max_fields,
                max_part_size=limits.max_part_size,
            )
            return await parser.parse()
    except _NotInCharset:
        raise InputError("bad_encoding", NOT_UTF8) from None
    except MultiPartException as exc:
        raise InputError("bad_form", _form_refusal(exc.message, limits)) from None


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


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (a script), None without one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def error_response(
    request: Request, code: str, message: str, status: int, *, retry_after: int | None = None
) -> Response:
    """The one error shape: JSON ``{"error": {"code", "message"}}`` under /api and for scripts
    (a request with a Bearer token, e.g. fetching an export), a page elsewhere (a browser behind
    a proxy's Basic authentication included)."""
    headers = {"Retry-After": str(retry_after or 60)} if status in (429, 503) else None
    if is_api(request.scope) or bearer_token(request) is not None:
        return JSONResponse(
            {"error": {"code": code, "message": message}}, status_code=status, headers=headers
        )
    state = state_of(request)
    html = state.templates.get_template("error.html").render(
        request=request,
        status=status,
        message=message,
        submitted=_typed_text(request),
        **_ways_back(request),
    )
    return HTMLResponse(html, status_code=status, headers=headers)


TYPED_FIELDS = {"reason": "理由", "label": "名称"}  # what a drafter types into a workspace form


def _typed_text(request: Request) -> list[tuple[str, str]]:
    """What the drafter typed into the refused form (a reason, a name), shown again on the error
    page so that nothing written is lost; only a form already read, only on workspace pages."""
    form = getattr(request.state, "form", None)
    if form is None or not route_path(request.scope).startswith("/drafter/"):
        return []
    return [
        (TYPED_FIELDS[name], value)
        for name, value in form.multi_items()
        if name in TYPED_FIELDS and isinstance(value, str) and value.strip()
    ]


def _ways_back(request: Request) -> dict[str, str]:
    """Where an error page in the drafters' workspace leads: the page the drafter came from (a
    workspace page of this site) and the draft's workspace; public pages lead to the list."""
    path = route_path(request.scope)
    if not path.startswith("/drafter/"):
        return {"previous": "", "workspace": ""}
    parts = path.split("/")
    workspace = "/".join(parts[:4]) if len(parts) > 4 and parts[2] == "drafts" else "/drafter"
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.headers.get("host", "")
    previous = referer.path if same_site and referer.path.startswith("/drafter/") else ""
    if previous and referer.query:
        previous += "?" + referer.query
    return {"previous": previous if previous != path else "", "workspace": workspace}
