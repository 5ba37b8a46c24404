"""The bundled example draft, imported into an empty database so a new user can comment at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from comments import period, storage
from comments.drafts import parse_text
from comments.settings import Settings

EXAMPLE = Path(__file__).with_name("example") / "informatization-draft.txt"
EXAMPLE_SLUG = "informatization-draft"


def load_example_if_empty(engine: Engine, settings: Settings) -> str | None:
    """Import the example (period open 30 days from today) when there is no draft; its slug."""
    with Session(engine) as session:
        if storage.has_drafts(session):
            return None
        text = EXAMPLE.read_text(encoding="utf-8")
        tree = parse_text(text, name=EXAMPLE.name)
        today = period.today_in(settings.timezone)
        draft = storage.import_draft(
            session=session,
            tree=tree,
            source_name=EXAMPLE.name,
            slug=EXAMPLE_SLUG,
            opens_on=today,
            deadline=today + timedelta(days=30),
            is_example=True,
            actor="serve",
        )
        return draft.slug
