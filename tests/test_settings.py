"""Settings: read only from COMMENTS_* variables, each one documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from comments.cli import build_parser
from comments.settings import SETTINGS, Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_has_an_entry_in_the_table():
    assert {f.name for f in fields(Settings)} == set(SETTINGS)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented_in_the_readme_with_its_default(name):
    info = SETTINGS[name]
    row = next((line for line in README.splitlines() if line.startswith(f"| `{info.env}` |")), None)
    assert row is not None, f"{info.env} is missing from the README table"
    default = f"`{info.default}`" if info.default else "（空）"
    assert default in row


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_documented_default_is_the_real_default(name):
    info = SETTINGS[name]
    parsed = Settings.from_env({info.env: info.default}) if info.default else Settings()
    assert getattr(parsed, name) == getattr(Settings(), name)


def test_every_setting_is_listed_in_the_cli_help():
    help_text = build_parser().format_help()
    for info in SETTINGS.values():
        assert info.env in help_text


def test_values_are_parsed_and_bad_ones_refused():
    s = Settings.from_env({"COMMENTS_PORT": "9000", "COMMENTS_LOAD_EXAMPLE": "0"})
    assert s.port == 9000 and s.load_example is False
    with pytest.raises(ValueError, match="COMMENTS_PORT"):
        Settings.from_env({"COMMENTS_PORT": "eighty"})
    with pytest.raises(ValueError, match="COMMENTS_LOAD_EXAMPLE"):
        Settings.from_env({"COMMENTS_LOAD_EXAMPLE": "maybe"})
    with pytest.raises(ValueError, match="负数"):
        Settings.from_env({"COMMENTS_RATE_LIMIT_PER_MINUTE": "-1"})


def test_unrelated_environment_is_ignored():
    assert Settings.from_env({"DATABASE_URL": "postgresql://elsewhere"}) == Settings()


def test_pool_size_setting_reaches_the_postgresql_engine():
    from comments.storage.db import make_engine

    settings = Settings.from_env({"COMMENTS_DB_POOL_SIZE": "3"})
    engine = make_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", pool_size=settings.db_pool_size
    )
    assert engine.pool.size() == 3
    assert engine.pool._max_overflow == 3  # type: ignore[attr-defined]
    engine.dispose()
