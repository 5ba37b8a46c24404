"""The batcher: one thread handles batches, a second settles them (the writer's fsync)."""

from __future__ import annotations

import asyncio
import queue
import threading

import pytest

from comments.intake.batcher import Batcher, Withdrawn


def test_the_next_batch_is_handled_while_the_last_one_settles():
    handled: list[list[int]] = []
    settled: list[list[int]] = []
    settling = threading.Event()
    release = threading.Event()

    def handle(items: list[int]) -> list[int]:
        handled.append(list(items))
        return [i * 10 for i in items]

    def settle(outcomes: list[int]) -> list[int]:
        settled.append(list(outcomes))
        settling.set()
        release.wait(10)
        return outcomes

    batcher: Batcher[int, int] = Batcher(handle, name="t", max_batch=100, settle=settle)

    async def run() -> None:
        first = asyncio.ensure_future(batcher.submit(1))
        await asyncio.to_thread(settling.wait, 5)  # batch [1] is settling and blocked
        later = [asyncio.ensure_future(batcher.submit(i)) for i in (2, 3)]
        for _ in range(200):
            if sum(len(b) for b in handled) == 3:
                break
            await asyncio.sleep(0.01)
        assert sum(len(b) for b in handled) == 3  # handled while the first settle is blocked
        assert not first.done() and not any(t.done() for t in later)
        release.set()
        assert await first == 10
        assert await asyncio.gather(*later) == [20, 30]

    try:
        asyncio.run(run())
    finally:
        release.set()
        batcher.close()
    # Everything handled during the blocked settle was settled in one more call.
    assert settled[0] == [10]
    assert sorted(o for call in settled[1:] for o in call) == [20, 30]
    assert len(settled) == 2


def test_a_settle_that_fails_fails_every_item_it_held():
    def settle(outcomes: list[int]) -> list[int]:
        raise OSError("fsync failed")

    batcher: Batcher[int, int] = Batcher(lambda items: items, name="t", max_batch=10, settle=settle)
    try:
        with pytest.raises(OSError, match="fsync failed"):
            asyncio.run(batcher.submit(1))
    finally:
        batcher.close()


def test_a_wait_that_runs_out_before_the_handler_withdraws_the_item():
    started = threading.Event()
    release = threading.Event()
    seen: list[list[str]] = []

    def handle(items: list[str]) -> list[str]:
        seen.append(list(items))
        if items == ["slow"]:
            started.set()
            release.wait(10)
        return items

    batcher: Batcher[str, str] = Batcher(handle, name="t", max_batch=10)

    async def run() -> None:
        slow = asyncio.ensure_future(batcher.submit("slow"))
        await asyncio.to_thread(started.wait, 5)
        with pytest.raises(Withdrawn):
            await batcher.submit("late", timeout=0.1)  # still queued behind "slow"
        release.set()
        assert await slow == "slow"
        assert await batcher.submit("after", timeout=5) == "after"

    try:
        asyncio.run(run())
    finally:
        release.set()
        batcher.close()
    assert ["late"] not in seen and ["slow"] in seen and ["after"] in seen


def test_what_one_pass_of_the_loop_queues_goes_over_in_one_hand_off_and_keeps_the_batch_size():
    handled: list[list[int]] = []
    batcher: Batcher[int, int] = Batcher(
        lambda items: handled.append(list(items)) or [i + 1 for i in items], name="t", max_batch=4
    )
    puts: list[object] = []

    class Counted(queue.SimpleQueue):  # type: ignore[type-arg]
        def put(self, item: object, block: bool = True, timeout: float | None = None) -> None:
            puts.append(item)
            super().put(item)

    batcher._queue = Counted()

    async def run() -> list[int]:
        return list(await asyncio.gather(*(batcher.submit(i) for i in range(10))))

    try:
        assert asyncio.run(run()) == list(range(1, 11))
    finally:
        batcher.close()
    handed = [p for p in puts if isinstance(p, list)]  # the rest: the stop signal of close()
    assert [len(p) for p in handed] == [10]
    assert [len(b) for b in handled] == [4, 4, 2]
    assert [i for b in handled for i in b] == list(range(10))


def test_entries_still_queued_when_the_batcher_closes_are_handled_first():
    handled: list[int] = []
    started = threading.Event()
    release = threading.Event()

    def handle(items: list[int]) -> list[int]:
        if items == [0]:
            started.set()
            release.wait(10)
        handled.extend(items)
        return items

    batcher: Batcher[int, int] = Batcher(handle, name="t", max_batch=2)

    async def run() -> list[int]:
        first = asyncio.ensure_future(batcher.submit(0))
        await asyncio.to_thread(started.wait, 5)
        rest = asyncio.gather(*(batcher.submit(i) for i in range(1, 6)))
        await asyncio.sleep(0.05)  # the five are queued behind the blocked batch
        closing = asyncio.get_running_loop().run_in_executor(None, batcher.close)
        await asyncio.sleep(0.05)
        release.set()
        await closing
        return [await first, *await rest]

    try:
        assert asyncio.run(run()) == [0, 1, 2, 3, 4, 5]
    finally:
        release.set()
        batcher.close()
    assert handled == [0, 1, 2, 3, 4, 5]
