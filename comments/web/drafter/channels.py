"""Comments from other channels in the workspace: the upload of e-mails, letters and
spreadsheets, the queue of comments whose clause waits for a drafter (待确认条款), and each
message whole with the reply an office sends back."""

from __future__ import annotations

import re
import secrets
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from analysis import GENERAL_KEY
from comments import storage, views
from comments.channels import import_files, reply_text
from comments.channels.importer import clause_index
from comments.channels.mail import can_send, send_reply
from comments.channels.read import SUFFIXES
from comments.errors import InputError
from comments.storage import channels as stored
from comments.storage.corrections import latest_comment_fixes
from comments.web.common import form_values, read_form, state_of
from comments.web.drafter.comments import clause_titles
from comments.web.drafter.common import (
    Caller,
    digest_or_progress,
    digest_token,
    guarded_draft,
    parse_int,
    protected,
    protected_upload,
    render,
)

CHANNEL_LABELS = {"web": "网页", "email": "电子邮件", "letter": "信件", "spreadsheet": "表格"}
MAX_FILES = 50
SEND_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
PROPOSALS_READ = 500  # whole-draft web comments read for proposals per page view, newest last


def _page(
    request: Request,
    caller: Caller,
    draft: Any,
    reports: list[Any] | None = None,
    summary: dict[str, int] | None = None,
) -> Response:
    state = state_of(request)

    def load() -> dict[str, Any]:
        with state.session() as session:
            return {
                "messages": stored.messages_of(session, draft.id)[:200],
                "waiting": len(stored.waiting_for_clause(session, draft.id)),
            }

    return render(
        request,
        "drafter/intake.html",
        caller=caller,
        draft=draft,
        suffixes=SUFFIXES,
        channels=CHANNEL_LABELS,
        reports=reports,
        summary=summary,
        **load(),
    )


@protected
async def intake_page(request: Request, caller: Caller) -> Response:
    draft = await guarded_draft(request, caller)
    return await run_in_threadpool(_page, request, caller, draft)


@protected_upload(MAX_FILES)
async def intake_upload(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    form = await read_form(request)
    try:
        uploads = [u for u in form.getlist("files") if isinstance(u, UploadFile) and u.filename]
        if not uploads:
            raise InputError("missing_file", f"请选择要导入的文件（{'、'.join(SUFFIXES)}）。")
        files = [(u.filename or "文件", await u.read()) for u in uploads]
    finally:
        await form.close()
    reports = await run_in_threadpool(
        import_files,
        state.engine,
        draft,
        files,
        actor=caller.drafter.name,
        max_chars=state.settings.max_comment_chars,
    )
    created = [c for r in reports for c in r.created]
    summary = {
        "created": len(created),
        "waiting": sum(1 for c in created if c["waiting"]),
        "held": sum(1 for c in created if c["held"]),
        "problems": sum(len(r.refused) for r in reports),
    }
    return await run_in_threadpool(_page, request, caller, draft, reports=reports, summary=summary)


@protected
async def waiting_page(request: Request, caller: Caller) -> Response:
    """Comments whose clause a drafter confirms: imported ones below the confidence threshold,
    and web comments on the whole draft that the inference places under one clause."""
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    result, progress = await digest_or_progress(request, caller, draft)
    if progress is not None:
        return progress

    def load() -> dict[str, Any]:
        assert draft.id is not None
        with state.session() as session:
            waiting = stored.waiting_for_clause(session, draft.id)
            index = clause_index(session, draft.id)
            answered = {
                i for i, f in latest_comment_fixes(session, draft.id).items() if "clause" in f
            }
            general = [
                c
                for c in storage.comments_of(session, draft.id)
                if c.clause_key is None
                and c.proposed_clause is None
                and c.channel == "web"
                and c.id not in answered  # a drafter already said where it belongs
            ]
            titles = clause_titles(session, draft.id)
            clauses = storage.clauses_of(session, draft.id)
        proposals = []
        for c in general[:PROPOSALS_READ]:
            guess = index.infer(c.body)
            if guess.confident:
                proposals.append((c, guess))
        return {"waiting": waiting, "proposals": proposals, "titles": titles, "clauses": clauses}

    data = await run_in_threadpool(load)
    return render(
        request,
        "drafter/waiting.html",
        caller=caller,
        draft=draft,
        digest_token=digest_token(result),
        channels=CHANNEL_LABELS,
        general_key=GENERAL_KEY,
        done=request.query_params.get("done") == "1",
        **data,
    )


def _message(request: Request, draft: Any) -> dict[str, Any]:
    state = state_of(request)
    message_id = parse_int(request.path_params["id"], what="来信")
    with state.session() as session:
        message = stored.message_by_id(session, draft.id, message_id)
        if message is None:
            raise InputError("unknown_message", "没有找到这封来信。", status=404)
        return {
            "message": message,
            "comments": stored.comments_of_message(session, message_id),
            "titles": clause_titles(session, draft.id),
            "replies": stored.replies_sent(session, message_id),
        }


@protected
async def message_page(request: Request, caller: Caller) -> Response:
    draft = await guarded_draft(request, caller)
    data = await run_in_threadpool(_message, request, draft)
    reply = reply_text(draft, data["comments"], _base(request), data["message"].received_on)
    return render(
        request,
        "drafter/message.html",
        caller=caller,
        draft=draft,
        channels=CHANNEL_LABELS,
        reply=reply,
        can_send=can_send(state_of(request).settings, data["message"].contact),
        send_token=secrets.token_urlsafe(16),  # one per page: a second submit sends nothing
        sent=request.query_params.get("sent") == "1",
        repeated=request.query_params.get("repeated") == "1",
        local_time=lambda t: views.local_time(t, state_of(request).settings.timezone),
        **data,
    )


@protected
async def message_send(request: Request, caller: Caller) -> Response:
    """Send the reply by e-mail to the message's sender (only with SMTP settings)."""
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    token = (await form_values(request)).get("send_token", "")
    if not SEND_TOKEN.fullmatch(token):
        raise InputError("missing_send_token", "发送表单已过期，请刷新页面后重新发送。")
    data = await run_in_threadpool(_message, request, draft)
    message = data["message"]
    text = reply_text(draft, data["comments"], _base(request), message.received_on)
    subject = f"回复：{message.subject}" if message.subject else f"关于《{draft.title}》意见的回复"
    page = f"/drafter/drafts/{draft.slug}/messages/{message.id}"

    def send() -> bool:
        with state.session() as session:
            claim = stored.claim_reply(session, message.id, token, caller.drafter.name)
        if claim is None:
            return False
        try:
            ident = send_reply(
                state.settings,
                to=message.contact,
                subject=subject,
                text=text,
                office=draft.issuer or draft.organisation or "起草单位",
            )
        except BaseException:
            with state.session() as session:
                stored.release_reply(session, claim)
            raise
        with state.session() as session:
            stored.reply_sent(session, claim)
            storage.audit(
                session,
                actor=caller.drafter.name,
                action="send_reply",
                target=f"{draft.slug}:{message.source}"[:255],
                detail={"message_id": ident, "receipts": [c.receipt for c in data["comments"]]},
            )
            session.commit()
        return True

    if not await run_in_threadpool(send):
        return RedirectResponse(f"{page}?repeated=1", status_code=303)
    return RedirectResponse(f"{page}?sent=1", status_code=303)


@protected
async def message_reply(request: Request, caller: Caller) -> Response:
    draft = await guarded_draft(request, caller)
    data = await run_in_threadpool(_message, request, draft)
    text = reply_text(draft, data["comments"], _base(request), data["message"].received_on)
    return Response(
        text,
        media_type="text/plain; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="reply-{data["message"].id}.txt"',
            "cache-control": "no-store",
        },
    )


def _base(request: Request) -> str:
    return state_of(request).settings.public_url or str(request.base_url)
