"""Adoption decisions (采纳 / 部分采纳 / 不予采纳 / 另行研究) and publishing them in one step.

Decisions are recorded here and stay internal; "发布采纳情况" publishes the feedback report as it
stands (``comments.feedback.publish``). The page shows whether anything changed since the last
publication, every publication, and the points still without a decision, clause by clause.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from analysis import (
    GENERAL_KEY,
    UNKNOWN_KEY,
    Digest,
    clause_names,
    lead,
    mask_pii,
    suggestion_title,
)
from comments import feedback, views
from comments.errors import InputError
from comments.storage import decisions as decisions_mod
from comments.storage import publications, review
from comments.storage.models import DECISION_OUTCOMES, Draft
from comments.web.common import form_values, state_of
from comments.web.drafter.comments import clause_titles, comments_url
from comments.web.drafter.common import (
    Caller,
    digest_or_progress,
    digest_token,
    fingerprint_token,
    guarded_draft,
    parse_int,
    protected,
    render,
)

DIGEST_CHANGED = (
    "打开页面之后有新的意见或审核，汇总分析已经更新，聚类的成员可能变了。"
    "请在刷新后的页面上重新确认这项决定。"
)
DIGEST_CHANGED_PUBLISH = (
    "打开页面之后有新的意见或审核，意见采纳情况的数字已经变了。"
    "请在刷新后的页面上核对将要发布的内容，再发布。"
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
        raise InputError("digest_changed", DIGEST_CHANGED, status=409)
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
                        suggestion_title(s.operation, s.target, s.proposed),
                        list(s.comments),
                    )
    raise InputError("unknown_target", "汇总分析中没有这个处理对象，请刷新页面后重试。", status=404)


def _open_by_section(snapshot: decisions_mod.Snapshot) -> list[tuple[str, list[Any]]]:
    grouped: dict[str, list[Any]] = {}
    for point in snapshot.open:
        grouped.setdefault(point.section, []).append(point)
    return list(grouped.items())


@protected
async def decisions_page(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    result, progress = await digest_or_progress(request, caller, draft)
    if progress is not None:
        return progress
    tz = state.settings.timezone

    def load() -> dict[str, Any]:
        assert draft.id is not None
        with state.session() as session:
            stored = review.decisions_of(session, draft.id)
            titles = clause_titles(session, draft.id)
            snapshot = decisions_mod.feedback_snapshot(session, draft.id, result.digest)
            published = publications.publications_of(session, draft.id)
        return {
            "stored": stored,
            "titles": titles,
            "snapshot": snapshot,
            "publications": [
                {"row": p, "when": views.local_time(p.published_at, tz)} for p in published
            ],
            "changes": feedback.changes(snapshot, published[0]) if published else None,
        }

    data = await run_in_threadpool(load)
    snapshot: decisions_mod.Snapshot = data["snapshot"]
    published = request.query_params.get("published", "")
    return render(
        request,
        "drafter/decisions.html",
        caller=caller,
        draft=draft,
        digest=result.digest,
        digest_token=digest_token(result),
        by_target={(d.target_kind, d.target_id): d for d in data["stored"]},
        outcomes=DECISION_OUTCOMES,
        suggestion_title=suggestion_title,
        comments_url=comments_url,
        cite=clause_names(result.digest.sections),
        open_points=_open_by_section(snapshot),
        only_open=request.query_params.get("open") == "1",
        open_sections={p.section for p in snapshot.open},
        open_comments=snapshot.report.pending_comments,
        done=request.query_params.get("done") == "1",
        published_now=published if published.isdigit() else "",
        **data,
    )


def _back(values: dict[str, str], draft: Draft) -> str:
    back = values.get("next", "")
    if not back.startswith(f"/drafter/drafts/{draft.slug}/") or "//" in back:
        back = f"/drafter/drafts/{draft.slug}/decisions"
    return back


@protected
async def decide(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    values = await form_values(request)
    kind = values.get("target_kind", "")
    target_id = values.get("target_id", "").strip()
    back = _back(values, draft)

    def save() -> None:
        assert draft.id is not None
        if kind == "comment":
            comment_id = parse_int(target_id, what="意见")
            with state.session() as session:
                found = review.comments_by_ids(session, draft.id, [comment_id])
            if not found:
                raise InputError("unknown_comment", "这份草案中没有这条意见。", status=404)
            # The public report names it by its opening words, never by an internal number.
            label = lead(mask_pii(found[0].body), 30)
            clause, members = found[0].clause_key, [comment_id]
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


@protected
async def publish(request: Request, caller: Caller) -> Response:
    """发布采纳情况: the report as it stands becomes what the public sees (one new publication).

    With the page's digest token, refused (409) when the figures moved since the page was built,
    so that the drafter publishes what they looked at.
    """
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    values = await form_values(request)
    token = values.get("digest", "")

    def run() -> int:
        assert draft.id is not None
        fresh, mark = state.digests.state(draft.id)
        if token and fingerprint_token(mark) != token:  # told before any analysis runs
            raise InputError("digest_changed", DIGEST_CHANGED_PUBLISH, status=409)
        result = fresh or state.digests.get(draft)  # fresh: the published figures are today's
        with state.session() as session:
            publication = feedback.publish(
                session=session, draft=draft, digest=result.digest, actor=caller.drafter.name
            )
        return publication.number

    number = await run_in_threadpool(run)
    return RedirectResponse(
        f"/drafter/drafts/{draft.slug}/decisions?published={number}", status_code=303
    )
