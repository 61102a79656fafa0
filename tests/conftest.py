"""Shared fixtures: every store the ledger runs on, each test on its own empty one."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.application import CaseLedger
from ledger.storage import Store, postgres_store, sqlite_store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def example_entries(name: str) -> int:
    """How many entries the example file `name` holds (its non-blank lines): tests that count
    the imported examples follow the files instead of repeating their sizes."""
    return sum(1 for line in (EXAMPLES / name).read_bytes().splitlines() if line.strip())


LILLA_ENTRIES = example_entries("lilla-hjartat.jsonl")
ASTORP_ENTRIES = example_entries("astorp.jsonl")
POSTGRES_URL = os.environ.get("LEDGER_TEST_DATABASE_URL")
STORES = ["memory", "sqlite", "postgres"]


LEDGER_SETTINGS = (
    "LEDGER_DB",
    "LEDGER_DATABASE_URL",
    "LEDGER_CIPHER_KEY",
    "LEDGER_DEBUG",
    "LEDGER_USER",
    "LEDGER_LANG",
)


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's ledger settings or configuration, or leaves a ./ledger.db
    behind: the ledger's environment variables are unset and the test runs in its tmp_path."""
    for name in LEDGER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test's assertions are on the English wording: commands run with LEDGER_LANG=en and
    projections called directly speak English (Swedish, the default, is tested on its own)."""
    from projections.language import using

    monkeypatch.setenv("LEDGER_LANG", "en")
    with using("en"):
        yield


def program() -> list[str]:
    """The installed `ledger` program, or the module when no script is installed."""
    script = Path(sys.executable).parent / "ledger"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


def clean_env() -> dict[str, str]:
    """This process's environment without the ledger's own settings, for a subprocess."""
    return {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema per test, dropped afterwards, so runs cannot collide."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need LEDGER_TEST_DATABASE_URL=postgresql://user@host/db")
    schema = f"ledger_test_{uuid.uuid4().hex[:12]}"
    store = postgres_store(POSTGRES_URL)
    with postgres_connection(store) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with postgres_connection(store) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def postgres_connection(store: Store) -> Any:
    """A plain psycopg connection (autocommit) to a PostgreSQL store's database, for tests
    that look at or tamper with its tables behind the ledger's back."""
    import psycopg

    settings = store.settings
    return psycopg.connect(
        dbname=settings["POSTGRES_DBNAME"],
        host=settings["POSTGRES_HOST"],
        port=settings["POSTGRES_PORT"],
        user=settings["POSTGRES_USER"],
        password=settings["POSTGRES_PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """The same test on the in-memory store, an SQLite file and PostgreSQL."""
    if request.param == "memory":
        return sqlite_store(":memory:")
    if request.param == "sqlite":
        return sqlite_store(str(tmp_path / "ledger.db"))
    schema = request.getfixturevalue("postgres_schema")
    return postgres_store(f"{POSTGRES_URL}?schema={schema}")


@pytest.fixture
def open_ledger(store: Store) -> Iterator[Callable[[], CaseLedger]]:
    """Opens the test's store; call again for a second application on the same data."""
    opened: list[CaseLedger] = []

    def make() -> CaseLedger:
        ledger = CaseLedger(store)
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(open_ledger: Callable[[], CaseLedger]) -> CaseLedger:
    return open_ledger()
