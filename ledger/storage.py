"""Where the ledger lives: an SQLite file by default, PostgreSQL when a URL is given."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_DB = "ledger.db"
MEMORY = ":memory:"
SQLITE_LOCK_SECONDS = 30
"""How long a writer to an SQLite ledger waits for another process's write transaction."""


class StorageError(ValueError):
    """The store configuration cannot be used."""


# eventsourcing's AES-GCM cipher with each row's place as associated data (ledger/rows.py).
CIPHER_TOPIC = "ledger.rows:RowCipher"


@dataclass(frozen=True, slots=True)
class Store:
    """A resolved store: `kind` is sqlite, postgres or memory; `location` is for people."""

    kind: str
    location: str
    settings: Mapping[str, str]

    @property
    def encrypted(self) -> bool:
        return "CIPHER_KEY" in self.settings

    def id_secret(self) -> bytes | None:
        """A key for case ids, derived from the cipher key, so ids do not reveal case keys."""
        key = self.settings.get("CIPHER_KEY")
        if key is None:
            return None
        return hmac.new(base64.b64decode(key), b"ledger case ids", hashlib.sha256).digest()

    def with_cipher(self, key: str) -> Store:
        """The same store with events encrypted at rest (AES-GCM) under `key` (base64)."""
        try:
            raw = base64.b64decode(key, validate=True)
        except binascii.Error:
            raise StorageError(
                "LEDGER_CIPHER_KEY is not base64 (make one with `ledger keygen --cipher`)"
            ) from None
        if len(raw) not in (16, 24, 32):
            raise StorageError(f"LEDGER_CIPHER_KEY must be 16, 24 or 32 bytes, not {len(raw)}")
        settings = dict(self.settings, CIPHER_TOPIC=CIPHER_TOPIC, CIPHER_KEY=key)
        return Store(self.kind, self.location, settings)


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
            "SQLITE_LOCK_TIMEOUT": str(SQLITE_LOCK_SECONDS),
            # recorded_at is stamped under the write lock (ledger/clock.py).
            "APPLICATION_RECORDER_TOPIC": "ledger.stamping:SQLiteStampingRecorder",
        },
    )


SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def read_only_store(store: Store) -> Store:
    """The same SQLite ledger opened for reading only, for a file SQLite cannot open as it
    stands (on a read-only mount, a copy handed over on a CD): no table is created and
    nothing written. Without a -wal file beside it everything is in the database file, and
    SQLite is told the file cannot change (`immutable`), since on a read-only mount it
    could not make the shared-memory file a WAL database is otherwise read through."""
    from pathlib import Path
    from urllib.parse import quote

    if store.kind != "sqlite":
        return store
    path = Path(store.location).resolve()
    options = "mode=ro" if Path(f"{path}-wal").exists() else "mode=ro&immutable=1"
    settings = dict(store.settings, SQLITE_DBNAME=f"file:{quote(str(path))}?{options}")
    settings["CREATE_TABLE"] = "n"
    return Store(store.kind, store.location, settings)


def read_only_without(store: Store, table: str) -> bool:
    """Whether a ledger opened read-only (`read_only_store`) lacks `table`, which a writable
    one would create on first use: read as empty then, since none can be created."""
    if store.kind != "sqlite" or store.settings.get("CREATE_TABLE") != "n":
        return False
    import sqlite3

    connection = sqlite3.connect(store.settings["SQLITE_DBNAME"], uri=True)
    try:
        (found,) = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
    finally:
        connection.close()
    return not found


def writable_place(store: Store) -> bool:
    """Whether SQLite could write beside the ledger file (its journal files): False on a
    read-only mount or in a directory closed to writing."""
    from pathlib import Path

    if store.kind != "sqlite":
        return True
    path = Path(store.location).resolve()
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def store_files(store: Store) -> tuple[str, ...]:
    """The files an SQLite ledger is made of: the database and SQLite's side files (whether
    they exist now or not; SQLite replays a -wal or -journal it finds). Other stores: none."""
    if store.kind != "sqlite":
        return ()
    return (store.location, *(store.location + suffix for suffix in SQLITE_SIDE_FILES))


def create_private_file(path: str) -> None:
    """Create an empty SQLite database file readable by its owner only. SQLite gives its
    -wal, -shm and -journal files the database's mode, so the case data in them is private
    too (an empty file is a valid empty database)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def is_busy(error: BaseException) -> bool:
    """Whether SQLite gave up waiting for another process's write transaction (a large
    import holds one until it ends). eventsourcing re-raises sqlite3's error as its own."""
    import sqlite3

    from eventsourcing.persistence import OperationalError

    return isinstance(error, (sqlite3.OperationalError, OperationalError)) and (
        "database is locked" in str(error)
    )


def storage_failure(error: BaseException) -> str | None:
    """What the store or the disk could not do, in one line, for errors that are the
    machine's and not a bug: a full disk, a store that cannot be written. None otherwise."""
    import errno
    import sqlite3

    from eventsourcing.persistence import PersistenceError

    text = str(error).lower()
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full; nothing was written (free space and try again)"
    if isinstance(error, (sqlite3.Error, PersistenceError)):
        if "disk is full" in text or "no space left" in text or "disk full" in text:
            return (
                "the disk holding the ledger is full; nothing was written (free space and "
                "try again)"
            )
        if "readonly database" in text or "read-only" in text:
            return "the ledger cannot be written here (a read-only file or mount)"
    return None


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
        # A ledger process uses one connection at a time (two while it creates its tables):
        # the pool keeps one open and grows when more are wanted, instead of opening
        # eventsourcing's default of five as it starts (a server process each).
        "POSTGRES_POOL_SIZE": "1",
        # recorded_at is the server's time, taken under the table lock (ledger/clock.py).
        "APPLICATION_RECORDER_TOPIC": "ledger.stamping:PostgresStampingRecorder",
    }
    schema = parse_qs(parts.query).get("schema", [""])[0]
    if schema:
        settings["POSTGRES_SCHEMA"] = schema
    shown = f"postgresql://{settings['POSTGRES_USER']}@{parts.hostname}:{settings['POSTGRES_PORT']}"
    return Store(
        "postgres", f"{shown}/{dbname}" + (f"?schema={schema}" if schema else ""), settings
    )


def store_at(text: str) -> Store:
    """The store a `--db` value or a migration's `--from`/`--to` names: a postgresql:// URL,
    else an SQLite file path. Any other `scheme://` is refused rather than taken for a file
    name, so a mistyped URL never becomes a new empty ledger."""
    if text.startswith(("postgresql://", "postgres://")):
        return postgres_store(text)
    scheme = urlsplit(text).scheme
    if "://" in text and scheme:
        raise StorageError(
            f"not a ledger store: {text!r} (give an SQLite file path or a postgresql:// URL)"
        )
    if not text.strip():
        raise StorageError("no ledger store given (an SQLite file path or a postgresql:// URL)")
    return sqlite_store(text)


def same_store(a: Store, b: Store) -> bool:
    """Whether two stores are the same database: the same SQLite file (by any path or link),
    or the same PostgreSQL database and schema (whoever connects)."""
    if a.kind != b.kind or a.kind == "memory":
        return False
    if a.kind == "sqlite":
        if os.path.realpath(a.location) == os.path.realpath(b.location):
            return True
        return (
            os.path.exists(a.location)
            and os.path.exists(b.location)
            and os.path.samefile(a.location, b.location)
        )

    def place(store: Store) -> tuple[str, ...]:
        settings = store.settings
        return (
            settings["POSTGRES_HOST"],
            settings["POSTGRES_PORT"],
            settings["POSTGRES_DBNAME"],
            settings.get("POSTGRES_SCHEMA") or "public",
        )

    return place(a) == place(b)


def resolve_store(db: str | None = None, environ: Mapping[str, str] | None = None) -> Store:
    """`--db PATH` wins, then `LEDGER_DATABASE_URL`, then `LEDGER_DB`, then ./ledger.db;
    `LEDGER_CIPHER_KEY` turns on encryption at rest."""
    environ = os.environ if environ is None else environ
    if db:
        store = store_at(db)
    elif url := environ.get("LEDGER_DATABASE_URL"):
        store = postgres_store(url)
    else:
        store = sqlite_store(environ.get("LEDGER_DB") or DEFAULT_DB)
    key = environ.get("LEDGER_CIPHER_KEY")
    return store.with_cipher(key) if key else store
