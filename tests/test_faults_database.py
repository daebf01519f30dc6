"""The database goes away under the API and comes back: 503 while it is gone, normal service after."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from lastresort.api.app import create_app
from lastresort.config import Settings
from lastresort.responders.offline import OfflineResponder
from lastresort.service import ConversationService
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import Store
from tests.conftest import TaggedAssessor


class TcpProxy:
    """A loopback TCP proxy in front of PostgreSQL that the test can cut and restore."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            # The test's "down" is the proxy refusing; PostgreSQL itself stays up for the other tests.
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _close(*sockets: socket.socket) -> None:
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._close(src, dst)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for a, b in self.pairs:
                self._close(a, b)
            self.pairs.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def proxied(pg_url: str) -> Iterator[tuple[str, TcpProxy]]:
    url = sa.engine.make_url(pg_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy
    proxy.close()


@pytest.mark.postgres
def test_requests_fail_with_503_while_the_database_is_down_and_recover(proxied: tuple[str, TcpProxy]) -> None:
    url, proxy = proxied
    engine = create_store_engine(url)
    upgrade(engine)
    service = ConversationService(Store(engine), assessor=TaggedAssessor(), responder=OfflineResponder(),
                                  settings=Settings(database_url=url))
    _, token = service.add_user("down")
    headers = {"Authorization": f"Bearer {token}"}
    client = TestClient(create_app(service=service))
    cid = client.post("/v1/conversations", json={}, headers=headers).json()["id"]
    assert client.post(f"/v1/conversations/{cid}/messages", json={"content": "hi"}, headers=headers).status_code == 201

    proxy.cut()
    for _ in range(3):
        r = client.post(f"/v1/conversations/{cid}/messages", json={"content": "are you there?"}, headers=headers)
        assert r.status_code == 503, r.text
        assert r.json()["error"] == "database_unavailable" and r.headers["Retry-After"] == "1"

    proxy.restore()
    r = client.post(f"/v1/conversations/{cid}/messages", json={"content": "back again"}, headers=headers)
    assert r.status_code == 201, r.text
    detail = client.get(f"/v1/conversations/{cid}", headers=headers).json()
    assert [m["content"] for m in detail["messages"] if m["role"] == "user"] == ["hi", "back again"]
    service.store.close()
