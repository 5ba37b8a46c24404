"""Exports for drafters: digest.md, the feedback report (.md, .docx), comments as CSV/JSON, the
audit log."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from comments import exports
from comments.auth import require_admin
from comments.errors import InputError
from comments.web.common import state_of
from comments.web.drafter.common import (
    Caller,
    digest_or_progress,
    guarded_draft,
    protected,
    render,
)

EXPORTS = {
    "digest.md": "意见汇总分析（Markdown，供起草单位内部使用）",
    "feedback.md": "意见采纳情况说明（Markdown，按当前决定生成，含尚未发布的改动；不含个人信息）",
    "feedback.docx": "意见采纳情况说明（Word，按当前决定生成，含尚未发布的改动；不含个人信息）",
    "comments.csv": "全部意见（CSV，含姓名、联系方式等个人信息，仅供内部使用）",
    "comments.json": "全部意见（JSON，含个人信息，仅供内部使用）",
    "public-comments.csv": "已公开意见（CSV，个人信息已遮盖，可公开）",
    "public-comments.json": "已公开意见（JSON，个人信息已遮盖，可公开）",
    "audit.csv": "本草案的操作记录（CSV）",
    "labels.jsonl": "人工确认的标注（JSONL，可用于按本单位的判断重新训练模型）",
}
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@protected
async def exports_page(request: Request, caller: Caller) -> Response:
    draft = await guarded_draft(request, caller)
    return render(request, "drafter/exports.html", caller=caller, draft=draft, exports=EXPORTS)


@protected
async def export_file(request: Request, caller: Caller) -> Response:
    draft = await guarded_draft(request, caller)
    name = request.path_params["name"]
    if name not in EXPORTS:
        raise InputError("unknown_export", "没有这种导出格式。", status=404)
    if name == "audit.csv" and caller.drafter.role != "admin":
        require_admin(caller.drafter)
    if name in ("digest.md", "feedback.md", "feedback.docx", "labels.jsonl"):
        # A long analysis shows its progress page (which reloads into the download).
        _result, progress = await digest_or_progress(request, caller, draft)
        if progress is not None:
            return progress
    state = state_of(request)
    content: str | bytes
    if name == "feedback.docx":
        content = await run_in_threadpool(exports.feedback_docx, state.engine, state.digests, draft)
    else:
        content = await run_in_threadpool(
            exports.export_text,
            state.engine,
            state.digests,
            draft,
            name,
            tz=state.settings.timezone,
        )
    filename = f"{draft.slug}-{name}"
    return Response(
        content,
        media_type=MEDIA[name.rsplit(".", 1)[1]],
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )
