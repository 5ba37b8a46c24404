"""Adoption decisions (采纳 / 部分采纳 / 不予采纳) on clusters, suggestions and comments."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from analysis import GENERAL_KEY, UNKNOWN_KEY, Digest, clause_names
from comments.errors import InputError
from comments.storage import decisions as decisions_mod
from comments.storage import review
from comments.storage.models import DECISION_OUTCOMES, Draft
from comments.web.common import form_values, state_of
from comments.web.drafter.comments import clause_titles, comments_url
from comments.web.drafter.common import (
    Caller,
    digest_or_progress,
    digest_token,
    guarded_draft,
    parse_int,
    protected,
    render,
)


def digest_seen(request: Request, draft: Draft, token: str) -> Digest:
    """The digest the drafter's page was built from (``token``), for a decision on one of its
    clusters or suggestions: a decision applies to the members the drafter saw, never to a
    cluster recomputed since. Without a token (a script), the current digest. Call in a thread.
    """
    service = state_of(request).digests
    assert draft.id is not None
    kept = service.latest(draft.id)
    if token and kept is not None and digest_token(kept) == token:
        return kept.digest
    current = service.get(draft)
    if token and digest_token(current) != token:
        raise InputError(
            "digest_changed",
            "打开页面之后有新的意见或审核，汇总分析已经更新，聚类的成员可能变了。"
            "请在刷新后的页面上重新确认这项决定。",
            status=409,
        )
    return current.digest


def decision_target(
    digest: Digest, kind: str, target_id: str, draft_id: int
) -> tuple[str | None, str, list[int]]:
    """(clause key, label, member comment ids) of a cluster or suggestion in the digest."""
    for section in digest.sections:
        clause = section.key if section.key not in (GENERAL_KEY, UNKNOWN_KEY) else None
        if kind == "cluster":
            for cluster in section.clusters:
                if cluster.id == target_id:
                    return clause, cluster.label, list(cluster.members)
        elif kind == "suggestion":
            for s in section.suggestions:
                if s.id == target_id:
                    return (
                        clause,
                        suggestion_label(s.operation, s.target, s.proposed),
                        list(s.comments),
                    )
    raise InputError("unknown_target", "汇总分析中没有这个处理对象，请刷新页面后重试。", status=404)


def suggestion_label(operation: str, target: str, proposed: str) -> str:
    if operation == "delete":
        return f"删除“{target}”"
    if operation == "insert":
        return f"在“{target}”后增加“{proposed}”" if target else f"增加“{proposed}”"
    return f"将“{target}”改为“{proposed}”"


@protected
async def decisions_page(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    result, progress = await digest_or_progress(request, caller, draft)
    if progress is not None:
        return progress

    def load() -> dict[str, Any]:
        assert draft.id is not None
        with state.session() as session:
            stored = review.decisions_of(session, draft.id)
            titles = clause_titles(session, draft.id)
        return {
            "digest": result.digest,
            "names": clause_names(result.digest.sections),
            "digest_token": digest_token(result),
            "stored": stored,
            "titles": titles,
        }

    data = await run_in_threadpool(load)
    by_target = {(d.target_kind, d.target_id): d for d in data["stored"]}
    return render(
        request,
        "drafter/decisions.html",
        caller=caller,
        draft=draft,
        by_target=by_target,
        outcomes=DECISION_OUTCOMES,
        kind_labels=decisions_mod.KIND_LABELS,
        suggestion_label=suggestion_label,
        comments_url=comments_url,
        done=request.query_params.get("done") == "1",
        **data,
    )


@protected
async def decide(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    values = await form_values(request)
    kind = values.get("target_kind", "")
    target_id = values.get("target_id", "").strip()
    back = values.get("next", "")
    if not back.startswith(f"/drafter/drafts/{draft.slug}/") or "//" in back:
        back = f"/drafter/drafts/{draft.slug}/decisions"

    def save() -> None:
        assert draft.id is not None
        if kind == "comment":
            comment_id = parse_int(target_id, what="意见")
            with state.session() as session:
                found = review.comments_by_ids(session, draft.id, [comment_id])
            if not found:
                raise InputError("unknown_comment", "这份草案中没有这条意见。", status=404)
            clause, label, members = found[0].clause_key, "", [comment_id]
            target = str(comment_id)  # "01", "+1" and "1" are one comment, one decision
        elif kind in ("cluster", "suggestion"):
            target = target_id
            clause, label, members = decision_target(
                digest_seen(request, draft, values.get("digest", "")), kind, target_id, draft.id
            )
        else:
            raise InputError("bad_target", "处理对象只能是观点聚类、修改建议或单条意见。")
        with state.session() as session:
            review.record_decision(
                session=session,
                draft=draft,
                target_kind=kind,
                target_id=target,
                clause_key=clause,
                label=label,
                outcome=values.get("outcome", ""),
                reason=values.get("reason", ""),
                members=members,
                actor=caller.drafter.name,
            )

    await run_in_threadpool(save)
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}done=1", status_code=303)
