from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

sys._called_from_test = True  # type: ignore[attr-defined]  # keeps installed plugins out (see plugins.py)

from lastresort.config import Settings  # noqa: E402
from lastresort.core.assessment import AssessContext, Assessment  # noqa: E402
from lastresort.core.categories import Category  # noqa: E402

if TYPE_CHECKING:
    from lastresort.responders.base import Responder
    from lastresort.service import ConversationService

PG_URL = os.environ.get("LASTRESORT_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# On CI a PostgreSQL test must run: a skip there would hide a broken store.
REQUIRE_PG = os.environ.get("CI", "").lower() in ("1", "true") or bool(os.environ.get("LASTRESORT_REQUIRE_POSTGRES"))

_TAG = re.compile(r"\[([a-z_]+)(?:=([0-9.]+))?\]")


class TaggedAssessor:
    """A transparent test assessor: ``[abuse]`` scores abuse 0.9, ``[end_request=0.6]`` scores 0.6.

    Lets policy and service tests say exactly what a message means without depending on the lexicon.
    """

    name = "tagged"

    def assess(self, text: str, context: AssessContext) -> Assessment:
        scores = {Category(m.group(1)): float(m.group(2) or 0.9) for m in _TAG.finditer(text)}
        return Assessment(scores=scores, assessor=self.name)


def make_service(url: str, responder: Responder | None = None, **settings: Any) -> ConversationService:
    """A service on a migrated store at ``url`` with the tagged test assessor and, by default, the offline
    responder; ``settings`` override :class:`Settings` fields."""
    from lastresort.responders.offline import OfflineResponder
    from lastresort.service import ConversationService
    from lastresort.store.engine import create_store_engine, upgrade
    from lastresort.store.repo import Store

    engine = create_store_engine(url)
    upgrade(engine)
    return ConversationService(Store(engine), assessor=TaggedAssessor(),
                               responder=responder or OfflineResponder(),
                               settings=Settings(database_url=url, **settings))


@pytest.fixture
def tagged_service(tmp_path: Path) -> Iterator[ConversationService]:
    """A tagged-assessor service on a SQLite file, closed afterwards."""
    service = make_service(f"sqlite:///{tmp_path}/tagged.db")
    yield service
    service.store.close()


@pytest.fixture
def tagged() -> TaggedAssessor:
    return TaggedAssessor()


def _pg_available() -> bool:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_server() -> str:
    if not _pg_available():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required on CI but not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    return PG_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh database for one test, dropped afterwards."""
    import sqlalchemy as sa

    name = f"lastresort_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/test.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/lastresort.db")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """On CI, fail the run if any PostgreSQL test was skipped or none ran: a skip would hide a broken store."""
    if not REQUIRE_PG or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    ran = [r for key in ("passed", "failed") for r in reporter.stats.get(key, []) if "postgres" in r.nodeid]
    skipped = [r for r in reporter.stats.get("skipped", []) if "postgres" in r.nodeid]
    if skipped or not ran:
        reporter.write_line(f"PostgreSQL tests: {len(ran)} ran, {len(skipped)} skipped; CI requires all to run.",
                            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
