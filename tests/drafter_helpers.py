"""Helpers for the drafters' workspace tests: accounts, logging in, CSRF tokens."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import Session

from comments import storage
from comments.storage import drafters, review
from comments.storage.models import Decision
from tests.helpers import csrf_from

ORG = "市住建局"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters in tests; production keeps the library's defaults."""
    monkeypatch.setattr(
        drafters, "_password_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@dataclass(frozen=True)
class Account:
    name: str
    password: str
    token: str
    id: int

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_account(
    engine: Engine, name: str, organisation: str = ORG, role: str = "drafter"
) -> Account:
    with Session(engine) as session:
        drafter, password, token = storage.add_drafter(
            session=session, name=name, organisation=organisation, role=role
        )
    assert drafter.id is not None
    return Account(name, password, token, drafter.id)


async def log_in(client: httpx.AsyncClient, account: Account) -> str:
    """Log in with a session cookie; returns a CSRF token for later form posts."""
    page = await client.get("/login")
    r = await client.post(
        "/login",
        data={
            "name": account.name,
            "password": account.password,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert r.status_code == 303, r.text
    return csrf_from((await client.get("/drafter")).text)


async def publish_feedback(client: httpx.AsyncClient, csrf: str, slug: str) -> httpx.Response:
    """Press 发布采纳情况 on the decisions page (the second step that makes decisions public)."""
    return await client.post(f"/drafter/drafts/{slug}/decisions/publish", data={"csrf_token": csrf})


def publish_now(app: object, engine: Engine, slug: str, actor: str = "own") -> int:
    """Publish the feedback report of a draft directly (for fixtures that decide in storage)."""
    from comments import feedback

    with Session(engine) as session:
        draft = storage.draft_by_slug(session, slug)
        assert draft is not None
        digest = app.state.comments.digests.get(draft).digest  # type: ignore[attr-defined]
        return feedback.publish(session=session, draft=draft, digest=digest, actor=actor).number


def cluster_decision(
    engine: Engine,
    slug: str,
    key: str,
    members: list[int],
    *,
    clause: str,
    outcome: str,
    reason: str,
    label: str = "",
    actor: str = "own",
) -> Decision:
    """A decision on the cluster ``key`` covering ``members``, as the decisions page stores it."""
    with Session(engine) as session:
        draft = storage.draft_by_slug(session, slug)
        assert draft is not None
        return review.record_decision(
            session=session,
            draft=draft,
            target_kind="cluster",
            target_id=key,
            clause_key=clause,
            label=label,
            outcome=outcome,
            reason=reason,
            members=members,
            actor=actor,
        )
