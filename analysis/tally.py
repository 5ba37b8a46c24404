"""Counts over a set of comment notes: the ``Tally`` of a section, and the sum of several."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

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
