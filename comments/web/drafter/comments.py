"""Reading and acting on comments: the filtered list behind every number, and moderation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from analysis import FLAG_NAMES, STANCE_NAMES, CommentNote, Digest
from comments import storage, views
from comments.errors import InputError
from comments.storage import review
from comments.storage.models import SUBMITTER_TYPES, Comment
from comments.web.common import form_values, state_of
from comments.web.drafter.common import (
    Caller,
    digest_or_progress,
    guarded_draft,
    parse_date,
    parse_int,
    protected,
    render,
)

PAGE_SIZE = 100
# One wording for stances and flags, the digest's (pages, filters and digest.md say the same).
STANCE_LABELS = STANCE_NAMES
FLAG_LABELS = FLAG_NAMES
SOURCE_LABELS = {"person": "人工确认", "neighbour": "据相似意见推定", "model": "机器判断"}
FILTERS = (
    "clause",
    "section",
    "status",
    "stance",
    "cluster",
    "campaign",
    "suggestion",
    "flag",
    "source",
    "submitter_type",
    "region",
    "date_from",
    "date_to",
    "ids",
)


@dataclass(frozen=True)
class CommentFilter:
    """Which comments a list shows; every figure on the digest pages links to one of these."""

    clause: str | None = None  # the clause as submitted ("" : the whole draft)
    section: str | None = None  # the digest section (a clause and every comment counted in it)
    status: str | None = None
    stance: str | None = None
    cluster: str | None = None
    campaign: str | None = None
    suggestion: str | None = None
    flag: str | None = None
    source: str | None = None  # who set the stance: person, neighbour (proposed) or model
    submitter_type: str | None = None
    region: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def from_query(cls, query: Any) -> CommentFilter:
        def text(name: str) -> str | None:
            value = query.get(name)
            return value.strip() if isinstance(value, str) and value.strip() else None

        raw_ids = text("ids")
        ids: tuple[int, ...] = ()
        if raw_ids:
            try:
                ids = tuple(int(part) for part in raw_ids.replace(",", " ").split())
            except ValueError:
                raise InputError("bad_ids", "意见编号应为以逗号分隔的数字。") from None
        status = text("status")
        if status is not None and status not in ("published", "pending", "hidden"):
            raise InputError("bad_status", "状态只能是 published、pending 或 hidden。")
        stance = text("stance")
        if stance is not None and stance not in STANCE_LABELS:
            raise InputError("bad_stance", "立场只能是：" + "、".join(STANCE_LABELS) + "。")
        source = text("source")
        if source is not None and source not in SOURCE_LABELS:
            raise InputError("bad_source", "立场来源只能是：" + "、".join(SOURCE_LABELS) + "。")
        return cls(
            clause=query.get("clause") if "clause" in query else None,
            section=text("section"),
            status=status,
            stance=stance,
            cluster=text("cluster"),
            campaign=text("campaign"),
            suggestion=text("suggestion"),
            flag=text("flag"),
            source=source,
            submitter_type=text("submitter_type"),
            region=text("region"),
            date_from=parse_date(text("date_from"), field="起始日期"),
            date_to=parse_date(text("date_to"), field="结束日期"),
            ids=ids,
        )

    @property
    def needs_digest(self) -> bool:
        return any(
            (self.section, self.stance, self.cluster, self.campaign, self.suggestion, self.flag)
        ) or bool(self.source)


def filter_comments(
    comments: list[Comment], f: CommentFilter, digest: Digest | None, tz: str
) -> list[Comment]:
    notes: dict[int, CommentNote] = {n.id: n for n in digest.comments} if digest else {}
    wanted: set[int] | None = set(f.ids) if f.ids else None
    if digest is not None and f.suggestion:
        found = next(
            (s for sec in digest.sections for s in sec.suggestions if s.id == f.suggestion), None
        )
        ids = set(found.comments) if found else set()
        wanted = ids if wanted is None else wanted & ids
    out = []
    for c in comments:
        assert c.id is not None
        note = notes.get(c.id)
        if wanted is not None and c.id not in wanted:
            continue
        if f.clause is not None and (c.clause_key or "") != f.clause:
            continue
        if f.status and c.status != f.status:
            continue
        if f.submitter_type and c.submitter_type != f.submitter_type:
            continue
        if f.region and f.region not in c.region:
            continue
        day = views.local_time(c.created_at, tz)[:10]
        if f.date_from and day < f.date_from.isoformat():
            continue
        if f.date_to and day > f.date_to.isoformat():
            continue
        if f.needs_digest:
            if note is None:
                continue
            if f.section and note.bucket != f.section:
                continue
            if f.stance and note.stance != f.stance:
                continue
            if f.cluster and note.cluster != f.cluster:
                continue
            if f.campaign and note.campaign != f.campaign:
                continue
            if f.flag and f.flag not in note.flags:
                continue
            if f.source and note.stance_source != f.source:
                continue
        out.append(c)
    return out


def comments_url(slug: str, **params: Any) -> str:
    """The link behind a figure: the comment list with these filters."""
    query = {
        k: (",".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
        for k, v in params.items()
        if v is not None
    }
    return f"/drafter/drafts/{slug}/comments" + (f"?{urlencode(query)}" if query else "")


FILTER_NAMES = {
    "clause": "条款",
    "section": "条款（含下级）",
    "status": "状态",
    "stance": "立场",
    "cluster": "观点",
    "campaign": "批量提交",
    "suggestion": "修改建议",
    "flag": "标记",
    "source": "立场来源",
    "submitter_type": "提交者类型",
    "region": "地区",
    "date_from": "起始日期",
    "date_to": "结束日期",
    "ids": "意见编号",
}


CHOSEN = {"cluster": "所选观点", "campaign": "所选的批量提交", "suggestion": "所选修改建议"}


def filter_labels(active: dict[str, str], titles: dict[str | None, str]) -> list[str]:
    """The active filters in words ("状态：待审核", "条款：第5条 …"), never internal keys."""
    values: dict[str, dict[Any, str]] = {
        "status": views.STATUS_LABELS,
        "stance": STANCE_LABELS,
        "flag": FLAG_LABELS,
        "source": SOURCE_LABELS,
        "clause": {"": titles[None], **titles},
        "section": titles,
    }
    out = []
    for key, value in active.items():
        shown = values.get(key, {}).get(value, value)
        if key in CHOSEN:  # an id of the digest's: the link that led here names it
            shown = CHOSEN[key]
        out.append(f"{FILTER_NAMES.get(key, key)}：{shown}")
    return out


def clause_titles(session: Any, draft_id: int) -> dict[str | None, str]:
    return views.clause_titles(storage.clauses_of(session, draft_id))


@protected
async def comment_list(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    f = CommentFilter.from_query(request.query_params)
    page = max(1, parse_int(request.query_params.get("page") or "1", what="页码"))
    digest: Digest | None = None
    if f.needs_digest:
        result, progress = await digest_or_progress(request, caller, draft)
        if progress is not None:
            return progress
        digest = result.digest

    def load() -> dict[str, Any]:
        assert draft.id is not None
        with state.session() as session:
            rows = filter_comments(
                list(storage.comments_of(session, draft.id)), f, digest, state.settings.timezone
            )
            titles = clause_titles(session, draft.id)
        # Without a digest filter, the readings of the last digest kept (if any) are shown.
        kept = digest or getattr(state.digests.latest(draft.id), "digest", None)
        notes = {n.id: n for n in kept.comments} if kept else {}
        shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return {
            "titles": titles,
            "rows": [_row(c, notes.get(c.id or 0), titles, state.settings.timezone) for c in shown],
            "total": len(rows),
            "unpublished": sum(1 for c in rows if c.status != "published"),
            "pages": max(1, (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE),
        }

    data = await run_in_threadpool(load)
    active = {k: request.query_params[k] for k in FILTERS if request.query_params.get(k)}
    if "clause" in request.query_params:
        active["clause"] = request.query_params["clause"]
    return render(
        request,
        "drafter/comments.html",
        caller=caller,
        draft=draft,
        filters=active,
        filter_labels=filter_labels(active, data.pop("titles")),
        page=page,
        submitter_types=SUBMITTER_TYPES,
        stances=STANCE_LABELS,
        query_without_page=urlencode(active),
        **data,
    )


def _row(
    c: Comment, note: CommentNote | None, titles: dict[str | None, str], tz: str
) -> dict[str, Any]:
    return {
        "comment": c,
        "clause_title": titles.get(c.clause_key, c.clause_key or ""),
        "created": views.local_time(c.created_at, tz),
        "stance": STANCE_LABELS.get(note.stance, note.stance) if note else None,
        "flags": [FLAG_LABELS.get(x, x) for x in note.flags] if note else [],
        "reviewed": bool(note and note.reviewed),
    }


# ---------------------------------------------------------------- moderation


MODERATION_PAGE = 20  # comments of one section of the moderation queue on one page
SECTIONS = ("pending", "flagged", "hidden")


def _queue_pages(values: Any) -> dict[str, int]:
    """The page asked for in each section of the moderation queue (``pending_page`` …)."""
    return {s: max(1, parse_int(values.get(f"{s}_page") or "1", what="页码")) for s in SECTIONS}


def _queue_query(pages: dict[str, int], **extra: Any) -> str:
    query = {f"{s}_page": p for s, p in pages.items() if p > 1}
    return urlencode({**extra, **query})


def _section(rows: list[Any], name: str, pages: dict[str, int]) -> dict[str, Any]:
    """One section's page of rows, clamped to its last page, with links to its neighbours."""
    count = max(1, -(-len(rows) // MODERATION_PAGE))
    page = min(pages[name], count)
    pages[name] = page

    def link(to: int) -> str:
        return "?" + _queue_query({**pages, name: to}) + f"#{name}-h"

    return {
        "rows": rows[(page - 1) * MODERATION_PAGE : page * MODERATION_PAGE],
        "total": len(rows),
        "page": page,
        "pages": count,
        "previous": link(page - 1) if page > 1 else "",
        "next": link(page + 1) if page < count else "",
    }


@protected
async def moderation_queue(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    pages = _queue_pages(request.query_params)

    def load() -> dict[str, Any]:
        assert draft.id is not None
        digest = state.digests.latest(draft.id)
        flagged_ids = (
            {n.id for n in digest.digest.comments if n.flags and not n.hidden} if digest else set()
        )
        notes = {n.id: n for n in digest.digest.comments} if digest else {}
        with state.session() as session:
            pending = review.comments_with_status(session, draft.id, "pending")
            flagged = [
                c
                for c in review.comments_by_ids(session, draft.id, sorted(flagged_ids))
                if c.status == "published"
            ]
            hidden = review.comments_with_status(session, draft.id, "hidden")
            titles = clause_titles(session, draft.id)
            tz = state.settings.timezone
            sections = {
                name: _section(rows, name, pages)
                for name, rows in zip(SECTIONS, (pending, flagged, hidden), strict=True)
            }
            for part in sections.values():
                part["rows"] = [_row(c, notes.get(c.id or 0), titles, tz) for c in part["rows"]]
            return {
                **sections,
                "digest_known": digest is not None,
                "log": storage.audit_log(session, limit=50, target_prefix=f"{draft.slug}#"),
            }

    data = await run_in_threadpool(load)
    return render(
        request,
        "drafter/moderation.html",
        caller=caller,
        draft=draft,
        done=request.query_params.get("done") == "1",
        pages=pages,
        **data,
    )


@protected
async def moderate(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    values = await form_values(request)
    comment_id = parse_int(values.get("comment_id"), what="意见")
    back = _queue_pages(values)

    def save() -> None:
        with state.session() as session:
            review.moderate_comment(
                session=session,
                draft=draft,
                comment_id=comment_id,
                action=values.get("action", ""),
                reason=values.get("reason", ""),
                actor=caller.drafter.name,
            )

    await run_in_threadpool(save)
    # Back to the pages the drafter was on (each clamped again if its section shrank).
    query = _queue_query(back, done=1)
    return RedirectResponse(f"/drafter/drafts/{draft.slug}/moderation?{query}", status_code=303)
