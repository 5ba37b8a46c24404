"""Counts over a set of comment notes: the ``Tally`` of a section, the sum of several, and the
draft's totals with copies under different clauses counted as one campaign."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from analysis.duplicates import MIN_CHARS
from analysis.models import POLARITIES, STANCES, SUBMITTER_TYPES, Campaign, CommentNote, Tally

FLAG_ORDER = ("spam", "abuse", "offtopic", "pii", "flood")


def tally(notes: Sequence[CommentNote], campaigns: Sequence[Campaign]) -> Tally:
    visible = [n for n in notes if not n.hidden]
    in_campaigns = sum(c.size for c in campaigns)
    submitters = Counter(n.submitter_type for n in visible)
    stance = Counter(n.stance for n in visible)
    polarity = Counter(n.polarity for n in visible)
    flags = Counter(f for n in visible for f in n.flags)
    return Tally(
        comments=len(visible),
        distinct=len(visible) - in_campaigns + len(campaigns),
        hidden=len(notes) - len(visible),
        campaigns=len(campaigns),
        in_campaigns=in_campaigns,
        submitters={t: submitters.get(t, 0) for t in SUBMITTER_TYPES},
        stance={s: stance.get(s, 0) for s in STANCES},
        polarity={p: polarity.get(p, 0) for p in POLARITIES},
        flags={f: flags.get(f, 0) for f in FLAG_ORDER},
    )


def add_tallies(tallies: Sequence[Tally]) -> Tally:
    def merged(name: str) -> dict[str, int]:
        out: Counter[str] = Counter()
        for t in tallies:
            out.update(getattr(t, name))
        keys = list(getattr(tallies[0], name)) if tallies else []
        return {k: out.get(k, 0) for k in keys}

    return Tally(
        comments=sum(t.comments for t in tallies),
        distinct=sum(t.distinct for t in tallies),
        hidden=sum(t.hidden for t in tallies),
        campaigns=sum(t.campaigns for t in tallies),
        in_campaigns=sum(t.in_campaigns for t in tallies),
        submitters=merged("submitters"),
        stance=merged("stance"),
        polarity=merged("polarity"),
        flags=merged("flags"),
    )


def across_sections(
    totals: Tally, texts: Mapping[int, str], campaigns: Sequence[Campaign]
) -> Tally:
    """``totals`` (the sections' sums) with copies of one text filed under different clauses
    counted as one campaign: a section sees only its own copies.

    ``texts`` holds every visible comment's text by id; ``campaigns`` every section's
    campaigns. Each section campaign stands for its members, each other comment for itself;
    units with the same text (spaces aside; at least ``MIN_CHARS`` characters) are one campaign.
    Near copies under different clauses stay apart: finding them would cost another pass of
    the campaign search over the whole draft, and even folding every text again costs about
    2 s per 100,000 comments on every recomputation.
    """
    weight: dict[int, int] = dict.fromkeys(texts, 1)
    for campaign in campaigns:
        members = [m for m in campaign.members if m in weight]
        if not members:
            continue
        rep = campaign.representative if campaign.representative in weight else members[0]
        for m in members:
            weight.pop(m, None)
        weight[rep] = len(members)
    groups: dict[str, list[int]] = {}
    for unit, size in weight.items():
        text = " ".join(texts[unit].split())
        key = text if len(text) >= MIN_CHARS else f"\x00{unit}"
        groups.setdefault(key, []).append(size)
    sizes = [sum(g) for g in groups.values()]
    in_campaigns = sum(n for n in sizes if n > 1)
    campaigns_n = sum(1 for n in sizes if n > 1)
    return replace(
        totals,
        distinct=totals.comments - in_campaigns + campaigns_n,
        campaigns=campaigns_n,
        in_campaigns=in_campaigns,
    )
