"""Splitting a point: the members that stay, checked with sets so a large point stays linear."""

from __future__ import annotations

import random
import time

import pytest

from comments.corrections import split_members
from comments.errors import InputError


def _staying_as_before(members: list[int], raw: list[int]) -> list[int]:
    """The rule as first written, with list membership (quadratic)."""
    if not raw or any(m not in members for m in raw):
        raise InputError("bad_split", "请从本观点的意见中选出要拆分出去的意见。", status=422)
    if len(set(raw)) >= len(members):
        raise InputError("bad_split", "拆分后原观点至少要留下一条意见。", status=422)
    return [m for m in members if m not in raw]


def test_a_large_split_keeps_the_same_members_in_the_same_order() -> None:
    rng = random.Random(7)
    members = sorted(rng.sample(range(1, 100_000), 3_000))
    raw = rng.sample(members, 1_500) + rng.sample(members, 20)  # repeats, in any order
    assert split_members(members, raw) == _staying_as_before(members, raw)


def test_splitting_half_of_a_hundred_thousand_members_is_quick() -> None:
    members = list(range(1, 100_001))
    raw = members[::2]
    started = time.perf_counter()
    staying = split_members(members, raw)
    assert staying == members[1::2]
    assert time.perf_counter() - started < 2.0  # list membership took minutes


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "请从本观点的意见中选出"),
        ("1", "请从本观点的意见中选出"),
        ([1, 99], "请从本观点的意见中选出"),
        (["1"], "请从本观点的意见中选出"),
        ([[1]], "请从本观点的意见中选出"),
        ([{"id": 1}], "请从本观点的意见中选出"),
        ([3, 1, 2, 2], "至少要留下一条意见"),
    ],
)
def test_a_split_that_is_not_a_proper_part_of_the_point_is_refused(raw, message) -> None:
    with pytest.raises(InputError, match=message):
        split_members([1, 2, 3], raw)
    if isinstance(raw, list) and all(isinstance(v, int) for v in raw):
        with pytest.raises(InputError, match=message):
            _staying_as_before([1, 2, 3], raw)
