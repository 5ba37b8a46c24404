"""The drafters' corrections: one path for the API and the workspace forms.

``correct(session, draft, digest, actor, payload)`` checks a correction against the draft and
its current digest, stores it (``storage.corrections``) and commits. A
payload names a comment ``{"comment": ID, "stance"?, "polarity"?, "flags"?, "clause"?,
"cluster"?}`` or a point ``{"cluster": ID, "label"?, "merge_into"?, "reviewed"?, "split"?}``.
The first correction of a point fixes it: its label and the members it had then are kept
from then on, whatever comments arrive later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from analysis import CORRECTABLE_FLAGS, GENERAL_KEY, POLARITIES, STANCES, Cluster, Digest
from comments import storage
from comments.errors import InputError
from comments.intake.payload import clean_text
from comments.storage import channels, review
from comments.storage import corrections as store
from comments.storage.models import Correction, Draft, Point

NEW_POINT = "new"
MAX_LABEL_CHARS = 100
COMMENT_KEYS = {"comment", "stance", "polarity", "flags", "clause", "cluster", "label"}
POINT_KEYS = {"cluster", "label", "merge_into", "reviewed", "split"}


def correct(
    session: Session, draft: Draft, digest: Digest, actor: str, payload: Any
) -> list[Correction]:
    """Store and commit the correction ``payload`` describes; ``InputError`` (nothing stored)
    if it is bad, or 409 if another correction of the same point was committed meanwhile."""
    try:
        rows = _correct(session, draft, digest, actor, payload)
        session.commit()
    except IntegrityError:  # two merges into one point at once: one of them wins
        session.rollback()
        raise InputError(
            "conflict", "同一观点刚刚被别人整理过，请刷新页面后再试。", status=409
        ) from None
    for row in rows:
        session.refresh(row)
    return rows


def _correct(
    session: Session, draft: Draft, digest: Digest, actor: str, payload: Any
) -> list[Correction]:
    if not isinstance(payload, dict) or not payload:
        raise InputError("bad_correction", "请说明要更正的意见（comment）或观点（cluster）。")
    if "comment" in payload:
        unknown = set(payload) - COMMENT_KEYS
        target = _Comments(session, draft, digest, actor)
        fix = target.apply
    else:
        unknown = set(payload) - POINT_KEYS
        target = _Points(session, draft, digest, actor)  # type: ignore[assignment]
        fix = target.apply
    if unknown:
        raise InputError(
            "bad_field", f"无法更正这些字段：{'、'.join(sorted(unknown))}。", status=422
        )
    rows = fix(payload)
    if not rows:
        raise InputError("nothing_to_correct", "没有要更正的内容。", status=422)
    return rows


def cluster_of(digest: Digest, key: str) -> Cluster | None:
    for section in digest.sections:
        for cluster in section.clusters:
            if cluster.id == key:
                return cluster
    return None


def _label(raw: Any) -> str:
    if not isinstance(raw, str):
        raise InputError("bad_label", "观点名称应为文本。", status=422)
    label = " ".join(clean_text(raw, multiline=False).split())
    if not label:
        raise InputError("bad_label", "观点名称不能为空。", status=422)
    if len(label) > MAX_LABEL_CHARS:
        raise InputError("bad_label", f"观点名称最多 {MAX_LABEL_CHARS} 个字。", status=422)
    return label


class _Target:
    def __init__(self, session: Session, draft: Draft, digest: Digest, actor: str) -> None:
        assert draft.id is not None
        self.session, self.draft, self.digest, self.actor = session, draft, digest, actor
        self.draft_id = draft.id
        self.rows: list[Correction] = []

    def record(self, kind: str, target: str, field: str, value: Any, previous: Any) -> None:
        self.rows.append(
            store.record(
                self.session,
                draft_id=self.draft_id,
                slug=self.draft.slug,
                kind=kind,
                target=target,
                field=field,
                value=value,
                previous=previous,
                actor=self.actor,
            )
        )

    def fixed(self, key: str) -> tuple[Point, Cluster | None]:
        """The point ``key`` as a fixed point (fixing an analysis cluster on first touch)."""
        cluster = cluster_of(self.digest, key)
        point = store.point_by_key(self.session, self.draft_id, key)
        if point is not None and point.merged_into is not None:
            raise InputError("merged_cluster", "这个观点已并入另一个观点。", status=422)
        if point is None:
            if cluster is None:
                raise InputError("unknown_cluster", "没有找到这个观点。", status=404)
            if cluster.remainder:
                raise InputError(
                    "remainder_cluster",
                    "“其他”不是一个观点，不能整理；请把其中的意见移入某个观点或新观点。",
                    status=422,
                )
            confirmed = [m for m in cluster.members if m not in cluster.proposed]
            point = store.fix_point(
                self.session,
                draft_id=self.draft_id,
                key=key,
                bucket=cluster.bucket,
                label=cluster.label,
                members=confirmed,
                actor=self.actor,
            )
        return point, cluster


class _Comments(_Target):
    def apply(self, payload: dict[str, Any]) -> list[Correction]:
        raw = payload["comment"]
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise InputError("bad_comment", "意见编号应为整数。", status=422)
        in_range = 0 < raw < 2**63  # beyond it no row can exist (and the driver refuses it)
        found = review.comments_by_ids(self.session, self.draft_id, [raw]) if in_range else []
        if not found:
            raise InputError("unknown_comment", "本草案中没有这条意见。", status=404)
        note = next((n for n in self.digest.comments if n.id == raw), None)
        target = str(raw)
        bucket = note.bucket if note else (found[0].clause_key or GENERAL_KEY)
        if "stance" in payload:
            value = payload["stance"]
            if value not in STANCES:
                raise InputError("bad_stance", f"立场应为 {'、'.join(STANCES)} 之一。", status=422)
            self.record("comment", target, "stance", value, note.stance if note else None)
        if "polarity" in payload:
            value = payload["polarity"]
            if value not in POLARITIES:
                raise InputError(
                    "bad_polarity", f"语气应为 {'、'.join(POLARITIES)} 之一。", status=422
                )
            self.record("comment", target, "polarity", value, note.polarity if note else None)
        if "flags" in payload:
            flags = payload["flags"]
            if not isinstance(flags, list) or any(f not in CORRECTABLE_FLAGS for f in flags):
                raise InputError(
                    "bad_flags", f"标记应为 {'、'.join(CORRECTABLE_FLAGS)} 的列表。", status=422
                )
            value = [f for f in CORRECTABLE_FLAGS if f in flags]
            before = [f for f in note.flags if f in CORRECTABLE_FLAGS] if note else None
            self.record("comment", target, "flags", value, before)
        if "clause" in payload:
            bucket = self._clause(target, payload["clause"], note, bucket)
            if found[0].proposed_clause is not None:  # it waited in 待确认条款: answered
                channels.assign_clause(
                    self.session,
                    found[0],
                    payload["clause"] or None,
                    slug=self.draft.slug,
                    actor=self.actor,
                )
        if "cluster" in payload:
            self._point(raw, payload["cluster"], payload.get("label"), note, bucket)
        return self.rows

    def _clause(self, target: str, raw: Any, note: Any, bucket: str) -> str:
        key = raw or ""
        if not isinstance(key, str):
            raise InputError("bad_clause", "条款应为条款编号，或留空表示总体意见。", status=422)
        if key and storage.clause_by_key(self.session, self.draft_id, key) is None:
            raise InputError("unknown_clause", "草案中没有这个条款。", status=422)
        self.record("comment", target, "clause", key, note.bucket if note else None)
        if (key or GENERAL_KEY) != bucket:
            store.release(self.session, [int(target)])
        return key or GENERAL_KEY

    def _point(self, comment: int, raw: Any, label: Any, note: Any, bucket: str) -> None:
        previous = note.cluster if note else None
        if raw is None or raw == "":
            store.release(self.session, [comment])
            self.record("comment", str(comment), "point", "", previous)
            return
        if not isinstance(raw, str):
            raise InputError("bad_cluster", "观点编号不正确。", status=422)
        if raw == NEW_POINT:
            point = store.new_point(
                self.session,
                draft_id=self.draft_id,
                bucket=bucket,
                label=_label(label) if label else "",
                actor=self.actor,
            )
        else:
            point, _ = self.fixed(raw)
            if point.bucket != bucket:
                raise InputError(
                    "other_clause", "只能移入同一条款下的观点；请先更正意见所属条款。", status=422
                )
        store.set_members(self.session, point, [comment])
        self.record("comment", str(comment), "point", point.key, previous)


class _Points(_Target):
    def apply(self, payload: dict[str, Any]) -> list[Correction]:
        key = payload["cluster"]
        if not isinstance(key, str) or not key:
            raise InputError("bad_cluster", "观点编号不正确。", status=422)
        point, cluster = self.fixed(key)
        if "label" in payload and "split" not in payload:  # with a split: the new point's name
            label = _label(payload["label"])
            self.record("point", key, "label", label, point.label)
            point.label = label
            store.relabel_decisions(self.session, self.draft_id, key, label)
        if "reviewed" in payload:
            value = payload["reviewed"]
            if not isinstance(value, bool):
                raise InputError("bad_reviewed", "reviewed 应为 true 或 false。", status=422)
            if value and cluster is not None and cluster.proposed:
                store.set_members(self.session, point, cluster.proposed)  # looked at: confirmed
            self.record("point", key, "reviewed", value, point.reviewed)
            point.reviewed = value
        if "split" in payload:
            self._split(point, cluster, payload["split"], payload.get("label"))
        if "merge_into" in payload:
            self._merge(point, payload["merge_into"])
        self.session.add(point)
        return self.rows

    def _split(self, point: Point, cluster: Cluster | None, raw: Any, label: Any) -> None:
        """The chosen comments leave for a new point; the rest stay as they were (confirmed
        members confirmed, the analysis' proposals still proposals)."""
        members = store.members_of(self.session, point)
        proposed = cluster.proposed if cluster is not None else ()
        staying = split_members(members, raw, proposed)
        new = store.new_point(
            self.session,
            draft_id=self.draft_id,
            bucket=point.bucket,
            label=_label(label) if label else "",
            actor=self.actor,
        )
        store.set_members(self.session, point, staying)
        store.set_members(self.session, new, raw)
        self.record("point", point.key, "split", {"into": new.key, "members": sorted(raw)}, None)

    def _merge(self, point: Point, raw: Any) -> None:
        """The point's confirmed members join the other point; what the analysis only proposed
        into it is proposed again where it fits (nothing is confirmed that no one looked at).
        Its decision becomes the other point's, or is withdrawn if that has its own."""
        if not isinstance(raw, str) or not raw or raw == point.key:
            raise InputError("bad_merge", "请选择要并入的另一个观点。", status=422)
        into, _ = self.fixed(raw)
        if into.bucket != point.bucket:
            raise InputError("other_clause", "只能合并同一条款下的观点。", status=422)
        store.set_members(self.session, into, store.members_of(self.session, point))
        point.merged_into = into.key
        self.record("point", point.key, "merge", into.key, None)
        followed = store.decision_follows_merge(
            self.session,
            draft_id=self.draft_id,
            key=point.key,
            into=into,
        )
        if followed is not None:
            what, was = followed
            self.record("point", point.key, "decision", {what: into.key}, was)


def split_members(members: Sequence[int], raw: Any, proposed: Sequence[int] = ()) -> list[int]:
    """The confirmed ``members`` that stay when the comments ``raw`` (confirmed members or
    ``proposed`` ones) are split out of a point, in order; at least one must stay.

    Sets, not lists, answer "is it a member": a split of a large point stays linear.
    """
    chosen = _hashable_set(raw) if isinstance(raw, list) else None
    if not chosen or not chosen <= {*members, *proposed}:
        raise InputError("bad_split", "请从本观点的意见中选出要拆分出去的意见。", status=422)
    staying = [m for m in members if m not in chosen]
    if not staying:
        raise InputError(
            "bad_split", "拆分后原观点至少要留下一条意见（待确认的意见不算）。", status=422
        )
    return staying


def _hashable_set(values: list[Any]) -> set[Any] | None:
    try:
        return set(values)
    except TypeError:  # a list or an object among them: no comment id
        return None


def correction_dict(row: Correction) -> dict[str, Any]:
    import json

    return {
        "id": row.id,
        "target_kind": row.target_kind,
        "target_id": row.target_id,
        "field": row.field,
        "value": json.loads(row.value),
        "previous": json.loads(row.previous),
        "actor": row.actor,
        "created_at": row.created_at.isoformat(),
    }
