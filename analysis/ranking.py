"""The digest's rankings: the clauses most discussed, most opposed, and those nobody commented on."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.models import ClauseInput, Ranking, Section

RANK_LIMIT = 10


def rank(sections: Sequence[Section], clauses: Sequence[ClauseInput]) -> Ranking:
    keyed = [s for s in sections if s.kind != "bucket"]
    # By comments received, as a reader counts them: a clause with 45 comments, 30 of them one
    # campaign's copies, comes before one with 20. Distinct comments break ties (and have their
    # own column wherever the ranking is shown).
    discussed = sorted(
        (s for s in keyed if s.tally.comments),
        key=lambda s: (-s.tally.comments, -s.tally.distinct, s.order),
    )
    opposed = sorted(
        (s for s in keyed if s.tally.stance.get("oppose", 0)),
        key=lambda s: (
            -s.tally.stance["oppose"],
            -s.tally.stance["oppose"] / s.tally.comments,
            s.order,
        ),
    )
    rolled = {s.key: s.rollup.comments for s in keyed}
    parents = {c.key: c.parent for c in clauses}
    # Name the topmost clause without comments, not each of its silent children.
    silent = tuple(
        s.key
        for s in keyed
        if rolled[s.key] == 0
        and (parents.get(s.key) is None or rolled.get(parents[s.key] or "", 1) > 0)
    )
    return Ranking(
        most_discussed=tuple(s.key for s in discussed[:RANK_LIMIT]),
        most_opposed=tuple(s.key for s in opposed[:RANK_LIMIT]),
        uncommented=silent,
    )
