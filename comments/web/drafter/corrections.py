"""Correcting the analysis: one comment's stance, tone, flags, clause and point; one point's
name, members (split, merge, move) and review. Forms post to one route, which goes through
``comments.corrections`` like the API."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from analysis import CORRECTABLE_FLAGS, GENERAL_KEY, Digest
from comments import corrections, storage
from comments.errors import InputError
from comments.storage import corrections as stored
from comments.storage import decisions as decisions_mod
from comments.storage import review
from comments.storage.models import DECISION_OUTCOMES, Correction
from comments.web.common import read_form, state_of
from comments.web.drafter.comments import (
    FLAG_LABELS,
    SOURCE_LABELS,
    STANCE_LABELS,
    clause_titles,
    comments_url,
)
from comments.web.drafter.common import (
    Caller,
    digest_or_progress,
    digest_token,
    done_notice,
    guarded_draft,
    parse_int,
    protected,
    render,
)
from comments.web.drafter.decisions import digest_seen

POLARITY_LABELS = {"pos": "正面", "neg": "负面", "neu": "中性"}
NONE_POINT = "__none__"
WHOLE_DRAFT = "__general__"
MEMBERS_PAGE = 200  # a point's members shown on one page (a point may hold thousands)


FIELD_LABELS = {
    "stance": "立场",
    "polarity": "语气",
    "flags": "标记",
    "clause": "条款",
    "point": "观点",
    "label": "名称",
    "reviewed": "已审阅",
    "merge": "并入",
    "split": "拆分",
    "decision": "处理决定",
}
DECISION_FATES = {
    "moved": "随合并成为合并后观点的决定",
    "withdrawn": "已撤回（合并后的观点已有自己的决定）",
}


def _shown(field: str, value: Any) -> str:
    """A stored value as the drafter reads it."""
    if value is None:
        return "—"
    if field == "stance":
        return STANCE_LABELS.get(value, value)
    if field == "polarity":
        return POLARITY_LABELS.get(value, value)
    if field == "flags":
        return "、".join(FLAG_LABELS.get(f, f) for f in value) or "（无）"
    if field == "reviewed":
        return "是" if value else "否"
    if field == "decision":
        if "outcome" in value:
            return f"{value['outcome']}：{value.get('reason', '')}"
        return "；".join(DECISION_FATES.get(k, k) for k in value)
    if field == "split":
        return f"{len(value.get('members', []))} 条意见拆出"
    if field in ("clause", "point"):
        return value or ("总体意见" if field == "clause" else "（不归入观点）")
    return str(value)


def _history(rows: list[Any], names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Correction rows as the history table shows them, newest first; ``names`` (point key ->
    name) names the points of a merge."""
    out = []
    for row in reversed(rows):
        d = corrections.correction_dict(row)
        d["at"] = row.created_at  # shown in the service's time zone
        d["field_label"] = FIELD_LABELS.get(d["field"], d["field"])
        d["before"], d["after"] = _shown(d["field"], d["previous"]), _shown(d["field"], d["value"])
        if d["field"] == "merge" and names is not None:
            d["before"] = f"“{names.get(row.target_id) or row.target_id}”"
            d["after"] = f"并入“{names.get(d['value']) or d['value']}”"
        out.append(d)
    return out


@protected
async def comment_page(request: Request, caller: Caller) -> Response:
    return await _comment_view(request, caller, revealed=False)


@protected
async def reveal(request: Request, caller: Caller) -> Response:
    """The comment's text and contact unmasked, for this response only; an audit row says who
    looked and when."""
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    comment_id = parse_int(request.path_params["id"], what="意见")

    def record() -> None:
        assert draft.id is not None
        with state.session() as session:
            if not review.comments_by_ids(session, draft.id, [comment_id]):
                raise InputError("unknown_comment", "本草案中没有这条意见。", status=404)
            storage.audit(
                session,
                actor=caller.drafter.name,
                action="reveal_personal_data",
                target=f"{draft.slug}#{comment_id}",
                detail="查看未遮盖的意见原文和联系方式",
            )
            session.commit()

    await run_in_threadpool(record)
    return await _comment_view(request, caller, revealed=True)


async def _comment_view(request: Request, caller: Caller, *, revealed: bool) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    comment_id = parse_int(request.path_params["id"], what="意见")
    result, progress = await digest_or_progress(request, caller, draft)
    if progress is not None:
        return progress
    digest: Digest = result.digest

    def load() -> dict[str, Any]:
        assert draft.id is not None
        with state.session() as session:
            found = review.comments_by_ids(session, draft.id, [comment_id])
            if not found:
                raise InputError("unknown_comment", "本草案中没有这条意见。", status=404)
            return {
                "comment": found[0],
                "titles": clause_titles(session, draft.id),
                "clauses": storage.clauses_of(session, draft.id),
                "history": _history(stored.corrections_of(session, draft.id, str(comment_id))),
            }

    data = await run_in_threadpool(load)
    note = next((n for n in digest.comments if n.id == comment_id), None)
    section = digest.section(note.bucket) if note else None
    points = [c for c in section.clusters if not c.remainder] if section else []
    return render(
        request,
        "drafter/correct_comment.html",
        caller=caller,
        draft=draft,
        note=note,
        points=points,
        current_point=corrections.cluster_of(digest, note.cluster)
        if note and note.cluster
        else None,
        digest_token=digest_token(result),
        stances=STANCE_LABELS,
        polarities=POLARITY_LABELS,
        flag_labels={f: FLAG_LABELS.get(f, f) for f in CORRECTABLE_FLAGS},
        sources=SOURCE_LABELS,
        general_key=GENERAL_KEY,
        none_point=NONE_POINT,
        whole_draft=WHOLE_DRAFT,
        comments_url=comments_url,
        done=request.query_params.get("done") == "1",
        # After a stance correction: how many stances the analysis proposed from corrections.
        proposed_stances=sum(1 for n in digest.comments if n.stance_source == "neighbour"),
        revealed=revealed,
        **data,
    )


@protected
async def point_page(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    key = request.path_params["key"]
    result, progress = await digest_or_progress(request, caller, draft)
    if progress is not None:
        return progress
    digest: Digest = result.digest
    cluster = corrections.cluster_of(digest, key)
    if cluster is None:
        into = await run_in_threadpool(_merged_into, state, draft, key)
        if into is not None:  # an old link: the point it was merged into
            url = f"/drafter/drafts/{draft.slug}/points/{quote(into, safe='')}?merged=1"
            return RedirectResponse(url, status_code=303)
        raise InputError("unknown_cluster", "没有找到这个观点。", status=404)
    pages = max(1, -(-len(cluster.members) // MEMBERS_PAGE))
    page = min(max(1, parse_int(request.query_params.get("page") or "1", what="页码")), pages)
    shown = cluster.members[(page - 1) * MEMBERS_PAGE : page * MEMBERS_PAGE]

    def load() -> dict[str, Any]:
        assert draft.id is not None
        with state.session() as session:
            rows = review.comments_by_ids(session, draft.id, shown)
            history = stored.corrections_of(session, draft.id, key)
            decided = review.decisions_of(session, draft.id)
            merged = stored.merged_into(session, draft.id, key)
            return {
                "bodies": {c.id: c.body for c in rows},
                "history": _history(
                    sorted([*history, *merged], key=lambda r: r.id or 0),
                    stored.point_labels(session, draft.id),
                ),
                "titles": clause_titles(session, draft.id),
                "by_target": {(d.target_kind, d.target_id): d for d in decided},
                "snapshot": decisions_mod.decision_notes(session, draft.id, digest, decided),
            }

    data = await run_in_threadpool(load)
    section = digest.section(cluster.bucket)
    others = [c for c in section.clusters if c.id != key and not c.remainder] if section else []
    notes = {n.id: n for n in digest.comments}
    return render(
        request,
        "drafter/point.html",
        caller=caller,
        draft=draft,
        cluster=cluster,
        shown=shown,
        first=(page - 1) * MEMBERS_PAGE + 1,
        page=page,
        pages=pages,
        proposed=set(cluster.proposed),
        section=section,
        others=others,
        notes=notes,
        digest_token=digest_token(result),
        stances=STANCE_LABELS,
        comments_url=comments_url,
        outcomes=DECISION_OUTCOMES,
        back=request.url.path,
        **done_notice(request),
        **data,
    )


def _merged_into(state: Any, draft: Any, key: str) -> str | None:
    """The point that ``key`` ended in, following merges (None: it was never merged)."""
    with state.session() as session:
        seen = {key}
        point = stored.point_by_key(session, draft.id, key)
        while point is not None and point.merged_into and point.merged_into not in seen:
            seen.add(point.merged_into)
            key = point.merged_into
            point = stored.point_by_key(session, draft.id, key)
    return key if len(seen) > 1 else None


def _payload(form: Any, digest: Digest) -> dict[str, Any]:
    """The correction a form describes; a comment form sends every field, and only those that
    differ from the analysis are corrected (none differing: the person confirms the reading)."""
    if form.get("comment"):
        comment_id = parse_int(form.get("comment"), what="意见")
        note = next((n for n in digest.comments if n.id == comment_id), None)
        payload: dict[str, Any] = {"comment": comment_id}
        stance, polarity = form.get("stance"), form.get("polarity")
        if stance and (note is None or stance != note.stance):
            payload["stance"] = stance
        if polarity and (note is None or polarity != note.polarity):
            payload["polarity"] = polarity
        if form.get("flags_sent"):
            flags = [f for f in form.getlist("flags") if isinstance(f, str)]
            before = [f for f in note.flags if f in CORRECTABLE_FLAGS] if note else None
            if before is None or sorted(flags) != sorted(before):
                payload["flags"] = flags
        clause = form.get("clause")
        if clause == "__keep__" or (clause == form.get("clause_was") and not form.get("assign")):
            clause = None  # unchanged on the form: not a correction
        if clause:
            key = "" if clause == WHOLE_DRAFT else clause
            # "assign": the answer for a comment waiting in 待确认条款, even if unchanged.
            if form.get("assign") or note is None or (key or GENERAL_KEY) != note.bucket:
                payload["clause"] = key
        point = form.get("cluster")
        if point and "clause" not in payload:
            value = None if point == NONE_POINT else point
            if note is None or value != (
                None if _is_remainder(digest, note.cluster) else note.cluster
            ):
                payload["cluster"] = value
                if value == corrections.NEW_POINT and form.get("label"):
                    payload["label"] = form.get("label")
        if len(payload) == 1 and note is not None:
            payload.update(stance=note.stance, polarity=note.polarity)  # confirmed as read
        return payload
    payload = {"cluster": form.get("cluster", "")}
    action = form.get("action", "")
    if action == "rename":
        payload["label"] = form.get("label", "")
    elif action == "reviewed":
        value = form.get("reviewed")
        if value not in ("0", "1"):
            raise InputError("bad_reviewed", "“已审阅”只能是 1（标记）或 0（取消）。")
        payload["reviewed"] = value == "1"
    elif action == "merge":
        payload["merge_into"] = form.get("merge_into", "")
    elif action == "split":
        payload["split"] = [parse_int(v, what="意见") for v in form.getlist("members")]
        if form.get("label"):
            payload["label"] = form.get("label")
    else:
        raise InputError("bad_action", "请选择要进行的整理操作。")
    return payload


def _is_remainder(digest: Digest, key: str | None) -> bool:
    cluster = corrections.cluster_of(digest, key) if key else None
    return cluster is None or cluster.remainder


@protected
async def submit(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    form = await read_form(request)
    back = str(form.get("next") or "")
    if not back.startswith(f"/drafter/drafts/{draft.slug}/") or "//" in back:
        back = f"/drafter/drafts/{draft.slug}/digest"

    def save() -> str:
        digest = digest_seen(request, draft, str(form.get("digest") or ""))
        payload = _payload(form, digest)
        with state.session() as session:
            rows = corrections.correct(session, draft, digest, caller.drafter.name, payload)
            return urlencode(_outcome(rows))

    outcome = await run_in_threadpool(save)
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}{outcome}", status_code=303)


def _outcome(rows: list[Correction]) -> dict[str, str]:
    """What the page after a correction says besides "saved": what became of a merged point's
    decision, and where a split sent its comments."""
    out = {"done": "1"}
    for row in rows:
        value = json.loads(row.value)
        if row.field == "decision" and isinstance(value, dict):
            out["decision"] = next(iter(value))
        elif row.field == "split" and isinstance(value, dict):
            out["new"] = str(value.get("into", ""))
    return out
