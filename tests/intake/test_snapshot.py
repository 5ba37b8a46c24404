"""Intake's cached view of a draft: one load at a time, never older than a change made here."""

from __future__ import annotations

import asyncio
import threading

from comments.intake import Intake
from comments.intake.validate import DraftSnapshot


def _intake(loads: list[str], gate: threading.Event | None = None) -> Intake:
    intake = Intake.__new__(Intake)
    intake.snapshots = {}
    intake._loading = {}
    intake._generation = 0

    def load(slug: str) -> DraftSnapshot:
        loads.append(slug)
        if gate is not None:
            gate.wait(5)
        return DraftSnapshot(len(loads), slug, "open", None, None, frozenset())

    intake._load_snapshot = load  # type: ignore[method-assign]
    return intake


def test_many_requests_when_the_entry_expires_make_one_load():
    loads: list[str] = []
    gate = threading.Event()
    intake = _intake(loads, gate)

    async def run() -> None:
        waiting = [asyncio.ensure_future(intake.snapshot("d")) for _ in range(32)]
        await asyncio.sleep(0.1)
        gate.set()
        got = await asyncio.gather(*waiting)
        assert {s.id for s in got} == {1}
        # Expired under load: the first request reloads, the others keep the old entry.
        gate.clear()
        intake.snapshots["d"] = (0.0, got[0])
        first = asyncio.ensure_future(intake.snapshot("d"))
        await asyncio.sleep(0.05)
        others = await asyncio.gather(*(intake.snapshot("d") for _ in range(31)))
        assert {s.id for s in others} == {1} and not first.done()
        gate.set()
        assert (await first).id == 2

    asyncio.run(run())
    assert len(loads) == 2


def test_a_load_begun_before_forget_is_not_cached_or_shared():
    loads: list[str] = []
    gate = threading.Event()
    intake = _intake(loads, gate)

    async def run() -> None:
        before = asyncio.ensure_future(intake.snapshot("d"))
        await asyncio.sleep(0.05)
        intake.forget("d")  # a drafter changed the period while the load ran
        after = asyncio.ensure_future(intake.snapshot("d"))
        await asyncio.sleep(0.05)
        gate.set()
        assert (await before).id in (1, 2)
        assert (await after).id in (1, 2)
        assert len(loads) == 2  # the request after the change made its own load
        cached = intake.snapshots["d"][1]
        assert cached is not None and cached == await after

    asyncio.run(run())


def test_a_requester_that_goes_away_does_not_cancel_the_load_for_the_others():
    loads: list[str] = []
    gate = threading.Event()
    intake = _intake(loads, gate)

    async def run() -> None:
        first = asyncio.ensure_future(intake.snapshot("d"))
        await asyncio.sleep(0.05)
        second = asyncio.ensure_future(intake.snapshot("d"))
        await asyncio.sleep(0.05)
        first.cancel()
        gate.set()
        assert (await second).id == 1

    asyncio.run(run())
    assert loads == ["d"]
