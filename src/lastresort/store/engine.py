"""Engines for the two supported databases, and schema upgrades on start.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every write transaction starts with
``BEGIN IMMEDIATE`` so that the check "is this path ended?" and the insert that follows cannot interleave
with another writer. PostgreSQL gets the same guarantee from ``SELECT … FOR UPDATE`` on the conversation row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from lastresort.errors import InvalidInput

__all__ = ["create_store_engine", "upgrade"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_store_engine(url: str, *, durable: bool = True) -> Engine:
    """An engine for ``url``: ``sqlite:///path.db``, ``sqlite://`` (memory) or ``postgresql+psycopg://…``.

    ``durable=False`` trades crash safety for speed (``synchronous=OFF``); ``replay`` uses it on its
    throw-away store.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise InvalidInput(f"Not a database URL: {url!r} ({exc})") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, in_memory=parsed.database in (None, "", ":memory:"), durable=durable)
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise InvalidInput(f"Unsupported database {backend!r}: use sqlite:///FILE or postgresql+psycopg://…")


def _sqlite_engine(url: str, *, in_memory: bool, durable: bool) -> Engine:
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if in_memory:
        kwargs["poolclass"] = StaticPool  # one shared connection, or each would see its own empty database
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let us issue BEGIN ourselves (pysqlite's own BEGIN is deferred)
        cur = dbapi_conn.cursor()
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA synchronous={'NORMAL' if durable else 'OFF'}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Readers take a deferred transaction; writers take the write lock before their first read.
        mode = "DEFERRED" if conn.get_execution_options().get("readonly") else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision`` (no-op when the schema is current)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
