"""The service's digest keeper: one computation per draft at a time, failures shown."""

from __future__ import annotations

import threading
import time

import pytest

import comments.web.drafter.common as drafter_common
from comments.digests import DigestService
from tests.conftest import add_draft
from tests.drafter_helpers import ORG, fast_password_hashing, log_in, make_account  # noqa: F401

pytestmark = pytest.mark.anyio


async def test_stale_digest_requested_at_once_is_computed_once(client, engine, monkeypatch):
    draft = add_draft(engine, organisation=ORG)
    await client.post("/api/drafts/tingche/comments", json={"body": "支持本办法。"})
    service = DigestService(engine)
    calls = []
    real = service.compute

    def slow_compute(*args, **kwargs):
        calls.append(1)
        time.sleep(0.2)  # long enough for the other requests to arrive while it runs
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "compute", slow_compute)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(service.get(draft))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len({id(r) for r in results}) == 1
    assert results[0].digest.totals.comments == 1


async def test_a_failed_background_analysis_is_reported_and_a_reload_tries_again(
    client, engine, app, monkeypatch
):
    add_draft(engine, organisation=ORG)
    await client.post("/api/drafts/tingche/comments", json={"body": "支持本办法。"})
    monkeypatch.setattr(drafter_common, "SYNC_LIMIT", 0)  # every digest goes to the background
    service = app.state.comments.digests

    def broken(*args, **kwargs):
        time.sleep(0.2)  # the first page is served while the job still runs
        raise RuntimeError("分析出错")

    monkeypatch.setattr(service, "compute", broken)
    await log_in(client, make_account(engine, "own", ORG))
    url = "/drafter/drafts/tingche/digest"
    first = await client.get(url)
    assert first.status_code == 200 and "正在" in first.text  # the progress page
    for _ in range(100):
        job = service.job(next(iter(service._jobs)))
        if job.finished:
            break
        time.sleep(0.02)
    failed = await client.get(url)
    assert failed.status_code == 500 and "分析出错" in failed.text
    again = await client.get(url)
    assert again.status_code == 200  # a new attempt, shown as progress


async def test_closing_waits_for_a_background_analysis_to_finish(client, engine, monkeypatch):
    """Shutdown must not dispose of the engine under a running analysis (its connection would
    be left open)."""
    draft = add_draft(engine, organisation=ORG)
    await client.post("/api/drafts/tingche/comments", json={"body": "支持本办法。"})
    service = DigestService(engine)
    real = service.compute

    def slow_compute(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "compute", slow_compute)
    job = service.start(draft)
    assert not job.finished
    service.close()
    assert job.finished and job.error is None
    assert service.latest(draft.id).digest.totals.comments == 1


def test_closing_the_service_stops_the_worker_pools_of_analyses_under_way(engine):
    service = DigestService(engine)
    stopped = []

    class Pool:
        def cancel(self) -> None:
            stopped.append(self)

    running = Pool()
    service._processes.add(running)  # type: ignore[arg-type]
    service.close(timeout=0.1)
    assert stopped == [running]
