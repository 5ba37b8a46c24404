"""Digest pages: the overview with the clause map, one clause's clusters, and the progress page.

Every figure links to the comments behind it (``comments.comments_url``); every clause is named as
a reader cites it (``analysis.clause_names``), never by its key. Stance bars are inline SVG built
here with presentation attributes only, the clause map (``clause_map.py``) links coloured by CSS
classes: the CSP forbids scripts and inline styles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from analysis import (
    GENERAL_KEY,
    STANCES,
    Digest,
    Suggestion,
    clause_names,
    suggestion_title,
)
from comments import storage, views
from comments.errors import InputError
from comments.storage import decisions as decisions_mod
from comments.storage import review
from comments.storage.models import DECISION_OUTCOMES, SUBMITTER_TYPES
from comments.web.common import state_of
from comments.web.drafter import clause_map
from comments.web.drafter.comments import (
    FLAG_LABELS,
    SOURCE_LABELS,
    STANCE_LABELS,
    CommentFilter,
    comments_url,
    filter_comments,
)
from comments.web.drafter.common import (
    Caller,
    digest_or_progress,
    digest_token,
    done_notice,
    guarded_draft,
    protected,
    render,
)

STANCE_COLOURS = {
    "support": "#2e8b57",
    "oppose": "#c0392b",
    "suggest": "#2f6fb3",
    "question": "#d4a017",
    "other": "#9aa5b1",
}


@dataclass(frozen=True)
class Bar:
    stance: str
    label: str
    count: int
    x: float
    width: float
    colour: str


def stance_bars(split: dict[str, int], width: float = 100.0) -> list[Bar]:
    """Segments of a stacked bar, in the fixed stance order, widths in percent of ``width``."""
    total = sum(split.get(s, 0) for s in STANCES)
    bars, x = [], 0.0
    for s in STANCES:
        n = split.get(s, 0)
        w = width * n / total if total else 0.0
        bars.append(Bar(s, STANCE_LABELS[s], n, round(x, 2), round(w, 2), STANCE_COLOURS[s]))
        x += w
    return bars


def suggestion_diff(clause_text: str, s: Suggestion, context: int = 30) -> dict[str, str]:
    """Before/after around the target in the clause text (empty ``before`` when not found)."""
    where = clause_text.find(s.target) if s.target else -1
    if where < 0:
        return {"before": "", "target": s.target, "proposed": s.proposed, "after": ""}
    end = where + len(s.target)
    return {
        "before": ("…" if where > context else "") + clause_text[max(0, where - context) : where],
        "target": s.target if s.operation != "insert" else "",
        "anchor": s.target if s.operation == "insert" else "",
        "proposed": s.proposed,
        "after": clause_text[end : end + context]
        + ("…" if end + context < len(clause_text) else ""),
    }


@protected
async def digest_overview(request: Request, caller: Caller) -> Response:
    draft = await guarded_draft(request, caller)
    result, progress = await digest_or_progress(request, caller, draft)
    if progress is not None:
        return progress
    digest: Digest = result.digest
    sections = {s.key: s for s in digest.sections}
    names = clause_names(digest.sections)
    sources = Counter(n.stance_source for n in digest.comments)
    return render(
        request,
        "drafter/digest.html",
        caller=caller,
        draft=draft,
        digest=digest,
        sections=sections,
        stance_sources={k: sources[k] for k in ("person", "neighbour") if sources[k]},
        source_labels=SOURCE_LABELS,
        computed=views.local_time(result.computed_at, state_of(request).settings.timezone),
        seconds=result.seconds,
        bars=stance_bars(digest.totals.stance),
        names=names,
        groups=clause_map.clause_map(digest.sections, names),
        legend=clause_map.LEGEND,
        min_comments=clause_map.MIN_COMMENTS,
        stance_bars=stance_bars,
        submitter_types=SUBMITTER_TYPES,
        comments_url=comments_url,
        flag_labels=FLAG_LABELS,
        general_key=GENERAL_KEY,
    )


@protected
async def clause_page(request: Request, caller: Caller) -> Response:
    state = state_of(request)
    draft = await guarded_draft(request, caller)
    key = request.path_params["key"]
    f = CommentFilter.from_query(request.query_params)
    result, progress = await digest_or_progress(request, caller, draft)
    if progress is not None:
        return progress
    digest: Digest = result.digest
    section = digest.section(key)
    if section is None:
        raise InputError("unknown_clause", "草案中没有这个条款。", status=404)

    def load() -> dict[str, Any]:
        assert draft.id is not None
        with state.session() as session:
            clause = storage.clause_by_key(session, draft.id, key)
            comments = list(storage.comments_of(session, draft.id))
            stored = review.decisions_of(session, draft.id)
            snapshot = decisions_mod.decision_notes(session, draft.id, digest, stored)
        in_section = CommentFilter(**{**f.__dict__, "section": key})
        allowed = {
            c.id for c in filter_comments(comments, in_section, digest, state.settings.timezone)
        }
        bodies = {c.id: c.body for c in comments}
        return {
            "clause": clause,
            "allowed": allowed,
            "bodies": bodies,
            "stored": stored,
            "snapshot": snapshot,
        }

    data = await run_in_threadpool(load)
    allowed: set[int] = data["allowed"]
    notes = {n.id: n for n in digest.comments}
    clusters = []
    for cl in section.clusters:
        members = [m for m in cl.members if m in allowed]
        if not members:
            continue
        split: dict[str, int] = {}
        for m in members:
            stance = notes[m].stance if m in notes else "other"
            split[stance] = split.get(stance, 0) + 1
        others = [o for o in section.clusters if o.id != cl.id and not o.remainder]
        clusters.append(
            {
                "cluster": cl,
                "members": members,
                "split": split,
                "bars": stance_bars(split),
                "others": others,
            }
        )
    clause_text = data["clause"].text if data["clause"] else ""
    names = clause_names(digest.sections)
    parents = {s.key: s.parent for s in digest.sections}
    ancestors: list[tuple[str, str]] = []  # (key, name) from the top down, for the crumbs
    parent = section.parent
    while parent in parents and parent not in dict(ancestors):
        ancestors.insert(0, (parent, names[parent]))
        parent = parents[parent]
    filters = {
        k: v
        for k, v in request.query_params.items()
        if k in ("stance", "submitter_type", "region", "date_from", "date_to") and v
    }
    return render(
        request,
        "drafter/clause.html",
        caller=caller,
        draft=draft,
        section=section,
        name=names[key],
        ancestors=ancestors,
        clause=data["clause"],
        clusters=clusters,
        campaigns=[c for c in section.campaigns if any(m in allowed for m in c.members)],
        suggestions=[
            (
                s,
                suggestion_diff(clause_text, s),
                suggestion_title(s.operation, s.target, s.proposed),
            )
            for s in section.suggestions
            if any(m in allowed for m in s.comments)
        ],
        allowed=allowed,
        bodies=data["bodies"],
        filters=filters,
        by_target={(d.target_kind, d.target_id): d for d in data["stored"]},
        snapshot=data["snapshot"],
        outcomes=DECISION_OUTCOMES,
        back=request.url.path,
        computed=views.local_time(result.computed_at, state.settings.timezone),
        digest_token=digest_token(result),
        submitter_types=SUBMITTER_TYPES,
        stances=STANCE_LABELS,
        flag_labels=FLAG_LABELS,
        comments_url=comments_url,
        section_bars=stance_bars(section.tally.stance),
        **done_notice(request),
    )
