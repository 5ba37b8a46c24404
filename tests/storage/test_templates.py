"""The tests' database copies (tests/templates.py) are the migrated schema, on both databases."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from comments.storage.db import make_engine, migrate
from tests import templates
from tests.conftest import PG_URL


def _sqlite_schema(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).all()
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return [(r[0], r[1], r[2] or "") for r in rows] + [("version", str(version), "")]


def test_a_sqlite_copy_is_the_migrated_database(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    migrated = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    migrate(migrated)
    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    templates.fill(copy_url, tmp_path_factory)
    copy = make_engine(copy_url)
    try:
        assert _sqlite_schema(copy) == _sqlite_schema(migrated)
        assert len(_sqlite_schema(copy)) > 20  # tables and indexes, not an empty file
    finally:
        copy.dispose()
        migrated.dispose()


def _statements(dumped: str) -> list[str]:
    """A dump without psql's \\restrict lines, whose key is new on every dump."""
    return [line for line in dumped.splitlines() if not line.startswith("\\")]


def test_a_postgresql_copy_is_the_migrated_schema(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if not PG_URL:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must set COMMENTS_TEST_DATABASE_URL (PostgreSQL)")
        pytest.skip("COMMENTS_TEST_DATABASE_URL is not set")
    if shutil.which("pg_dump") is None:
        # Without it every test migrates its own schema (correct, only slower); CI has it.
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pg_dump is missing: it comes with PostgreSQL, which CI installs")
        pytest.skip("pg_dump is not installed")
    admin = create_engine(PG_URL)
    migrated, copied = (f"t_{uuid.uuid4().hex[:12]}" for _ in range(2))
    sep = "&" if "?" in PG_URL else "?"
    try:
        with admin.begin() as connection:
            for schema in (migrated, copied):
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(f"{PG_URL}{sep}options=-csearch_path%3D{migrated}")
        migrate(engine)
        engine.dispose()
        templates.fill(f"{PG_URL}{sep}options=-csearch_path%3D{copied}", tmp_path_factory)
        one = templates.dump(PG_URL, migrated)
        two = templates.dump(PG_URL, copied)
        assert one is not None and two is not None
        assert "CREATE TABLE" in one and "alembic_version VALUES" in one
        assert _statements(two.replace(copied, migrated)) == _statements(one)
    finally:
        with admin.begin() as connection:
            for schema in (migrated, copied):
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
