"""Where the ledger lives: an SQLite file by default, PostgreSQL when a URL is given."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_DB = "ledger.db"
MEMORY = ":memory:"


class StorageError(ValueError):
    """The store configuration cannot be used."""


@dataclass(frozen=True, slots=True)
class Store:
    """A resolved store: `kind` is sqlite, postgres or memory; `location` is for people."""

    kind: str
    location: str
    settings: Mapping[str, str]


def sqlite_store(path: str) -> Store:
    if path == MEMORY:
        return Store("memory", MEMORY, {"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return Store(
        "sqlite",
        path,
        {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            # Several writers on one file wait for each other rather than fail at once.
            "SQLITE_LOCK_TIMEOUT": "30",
        },
    )


def postgres_store(url: str) -> Store:
    """`postgresql://user[:password]@host[:port]/db[?schema=name]`."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise StorageError(f"not a PostgreSQL URL: {url!r} (expected postgresql://...)")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or not parts.hostname:
        raise StorageError(f"PostgreSQL URL needs a host and a database: {url!r}")
    settings = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "5",
    }
    schema = parse_qs(parts.query).get("schema", [""])[0]
    if schema:
        settings["POSTGRES_SCHEMA"] = schema
    shown = f"postgresql://{settings['POSTGRES_USER']}@{parts.hostname}:{settings['POSTGRES_PORT']}"
    return Store(
        "postgres", f"{shown}/{dbname}" + (f"?schema={schema}" if schema else ""), settings
    )


def resolve_store(db: str | None = None, environ: Mapping[str, str] | None = None) -> Store:
    """`--db PATH` wins, then `LEDGER_DATABASE_URL`, then `LEDGER_DB`, then ./ledger.db."""
    environ = os.environ if environ is None else environ
    if db:
        if db.startswith(("postgresql://", "postgres://")):
            return postgres_store(db)
        return sqlite_store(db)
    url = environ.get("LEDGER_DATABASE_URL")
    if url:
        return postgres_store(url)
    return sqlite_store(environ.get("LEDGER_DB") or DEFAULT_DB)
