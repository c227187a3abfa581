"""Fixtures of the knowledge tests: the seed CSV files as text, logged-in headers, and the
database reached as the schema owner."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from server.knowledge import loader
from server.knowledge.seed import SEED_FOLDER
from tests.helpers import HeadersFor  # noqa: F401  (re-exported for the tests)


@pytest.fixture
def seed_files() -> dict[str, str]:
    return loader.read_folder(SEED_FOLDER)


def scalar(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def with_row(files: dict[str, str], name: str, row: str) -> dict[str, str]:
    """`files` with one more line at the end of `name`."""
    changed = dict(files)
    changed[name] = files[name].rstrip("\n") + "\n" + row + "\n"
    return changed


def line_count(text_: str) -> int:
    return len(text_.rstrip("\n").split("\n"))
