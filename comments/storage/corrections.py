"""Drafters' corrections: fields set on comments and points, and the points a person fixed.

Every correction is a ``Correction`` row (append-only: the latest per target and field wins)
with an audit row beside it (who, when, from → to). A fixed point is a ``Point`` row with its
confirmed members as ``PointMember`` rows; a comment is confirmed in at most one point.
Validation against the digest happens in ``comments.corrections``; this module only stores.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from comments.storage.auditlog import audit
from comments.storage.db import in_chunks
from comments.storage.models import Correction, Decision, DecisionMember, Point, PointMember

if TYPE_CHECKING:
    from analysis import Corrections

COMMENT_FIELDS = ("stance", "polarity", "flags", "clause", "point")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def record(
    session: Session,
    *,
    draft_id: int,
    slug: str,
    kind: str,
    target: str,
    field: str,
    value: Any,
    previous: Any,
    actor: str,
) -> Correction:
    """One correction and its audit row, in the caller's transaction."""
    row = Correction(
        draft_id=draft_id,
        target_kind=kind,
        target_id=target,
        field=field,
        value=_dump(value),
        previous=_dump(previous),
        actor=actor,
    )
    session.add(row)
    where = f"{slug}#{target}" if kind == "comment" else f"{slug}:{target}"
    audit(
        session,
        actor=actor,
        action=f"correct_{kind}",
        target=where,
        detail={"field": field, "from": previous, "to": value},
    )
    return row


def latest_comment_fixes(session: Session, draft_id: int) -> dict[int, dict[str, Any]]:
    """comment id -> {field: the value a person set last}."""
    rows = session.execute(
        select(Correction.target_id, Correction.field, Correction.value)
        .where(Correction.draft_id == draft_id, Correction.target_kind == "comment")
        .order_by(col(Correction.id))
    )
    out: dict[int, dict[str, Any]] = {}
    for target, field, value in rows:
        if field in COMMENT_FIELDS:
            out.setdefault(int(target), {})[field] = json.loads(value)
    return out


def corrections_of(session: Session, draft_id: int, target: str | None = None) -> list[Correction]:
    """Correction rows of a draft (of one comment id or point key), oldest first."""
    query = select(Correction).where(Correction.draft_id == draft_id)
    if target is not None:
        query = query.where(Correction.target_id == target)
    return list(session.scalars(query.order_by(col(Correction.id))))


def merged_into(session: Session, draft_id: int, key: str) -> list[Correction]:
    """The corrections of points merged into ``key`` (the merges and what became of their
    decisions), for the history of the point they joined."""
    values = [_dump(key), *(_dump({fate: key}) for fate in ("moved", "withdrawn"))]
    query = select(Correction).where(
        Correction.draft_id == draft_id,
        Correction.target_kind == "point",
        col(Correction.field).in_(("merge", "decision")),
        col(Correction.value).in_(values),
    )
    return list(session.scalars(query.order_by(col(Correction.id))))


def point_labels(session: Session, draft_id: int) -> dict[str, str]:
    """key -> name of every point a person fixed (merged ones included)."""
    rows = session.execute(select(Point.key, Point.label).where(Point.draft_id == draft_id))
    return {key: label for key, label in rows}


def correction_mark(engine: Engine, draft_id: int) -> int:
    """The newest correction id of the draft (0 if none): the digest is stale when it moves."""
    with engine.connect() as connection:
        value = connection.execute(
            select(func.coalesce(func.max(Correction.id), 0)).where(Correction.draft_id == draft_id)
        ).scalar_one()
    return int(value)


def point_by_key(session: Session, draft_id: int, key: str) -> Point | None:
    return session.scalars(
        select(Point).where(Point.draft_id == draft_id, Point.key == key)
    ).first()


def points_with_members(session: Session, draft_id: int) -> list[tuple[Point, list[int]]]:
    points = list(
        session.scalars(select(Point).where(Point.draft_id == draft_id).order_by(col(Point.id)))
    )
    members: dict[int, list[int]] = {}
    for point_id, comment_id in session.execute(
        select(PointMember.point_id, PointMember.comment_id)
        .join(Point, col(Point.id) == col(PointMember.point_id))
        .where(Point.draft_id == draft_id)
        .order_by(col(PointMember.comment_id))
    ):
        members.setdefault(point_id, []).append(comment_id)
    return [(p, members.get(p.id or 0, [])) for p in points]


def fix_point(
    session: Session,
    *,
    draft_id: int,
    key: str,
    bucket: str,
    label: str,
    members: Iterable[int],
    actor: str,
) -> Point:
    """The point ``key``, fixed with ``members`` if it was not fixed yet (else as it is)."""
    point = point_by_key(session, draft_id, key)
    if point is not None:
        return point
    point = Point(draft_id=draft_id, key=key, bucket=bucket, label=label, created_by=actor)
    session.add(point)
    session.flush()
    set_members(session, point, members)
    return point


def new_point(session: Session, *, draft_id: int, bucket: str, label: str, actor: str) -> Point:
    """A point a person starts: its key is ``"{bucket}:p{id}"``."""
    point = Point(draft_id=draft_id, key="", bucket=bucket, label=label, created_by=actor)
    session.add(point)
    session.flush()
    point.key = f"{bucket}:p{point.id}"
    session.flush()
    return point


def set_members(session: Session, point: Point, members: Iterable[int]) -> None:
    """Confirm ``members`` in ``point`` (each leaves any other fixed point)."""
    ids = sorted(set(members))
    if not ids:
        return
    release(session, ids)
    session.add_all(PointMember(comment_id=i, point_id=point.id) for i in ids)  # type: ignore[arg-type]
    session.flush()


def release(session: Session, comment_ids: Iterable[int]) -> None:
    """Take comments out of whatever fixed point holds them."""
    for chunk in in_chunks(comment_ids):
        session.execute(delete(PointMember).where(col(PointMember.comment_id).in_(chunk)))


def members_of(session: Session, point: Point) -> list[int]:
    return list(
        session.scalars(
            select(PointMember.comment_id)
            .where(PointMember.point_id == point.id)
            .order_by(col(PointMember.comment_id))
        )
    )


def relabel_decisions(session: Session, draft_id: int, key: str, label: str) -> None:
    """Decisions taken on a point show the name a person gave it since."""
    session.execute(
        update(Decision)
        .where(
            col(Decision.draft_id) == draft_id,
            col(Decision.target_kind) == "cluster",
            col(Decision.target_id) == key,
        )
        .values(label=label)
    )


def decision_follows_merge(
    session: Session, *, draft_id: int, key: str, into: Point
) -> tuple[str, dict[str, str]] | None:
    """What becomes of the decision on point ``key`` when it is merged into ``into``.

    It becomes ``into``'s decision (``"moved"``, still covering the comments it covered) when
    ``into`` has none; else ``into``'s own decision stands and this one is withdrawn
    (``"withdrawn"``): its comments wait for a decision on the merged point, nothing decides
    them silently. Returns what happened and the decision as it was (None: it had none); the
    caller records it as a correction (with its audit row).
    """
    found = session.scalars(
        select(Decision).where(
            col(Decision.draft_id) == draft_id,
            col(Decision.target_kind) == "cluster",
            col(Decision.target_id) == key,
        )
    ).first()
    if found is None:
        return None
    was = {"outcome": found.outcome, "reason": found.reason}
    taken = session.scalars(
        select(Decision.id).where(
            col(Decision.draft_id) == draft_id,
            col(Decision.target_kind) == "cluster",
            col(Decision.target_id) == into.key,
        )
    ).first()
    if taken is None:
        found.target_id = into.key
        found.label = into.label  # none: the report names it as the merged point is named
        session.add(found)
        what = "moved"
    else:
        session.execute(delete(DecisionMember).where(col(DecisionMember.decision_id) == found.id))
        session.delete(found)
        what = "withdrawn"
    session.flush()
    return what, was


def load_corrections(session: Session, draft_id: int) -> Corrections:
    """What the drafters corrected, as the analysis reads it."""
    from analysis import CommentCorrection, Corrections, PointInput

    fixes = latest_comment_fixes(session, draft_id)
    comments = tuple(
        CommentCorrection(
            id=comment_id,
            stance=f.get("stance"),
            polarity=f.get("polarity"),
            flags=tuple(f["flags"]) if isinstance(f.get("flags"), list) else None,
            clause=f.get("clause"),
            point=f.get("point"),
        )
        for comment_id, f in sorted(fixes.items())
    )
    points = tuple(
        PointInput(p.key, p.bucket, p.label, tuple(members), p.reviewed)
        for p, members in points_with_members(session, draft_id)
        if p.merged_into is None
    )
    return Corrections(comments=comments, points=points)
