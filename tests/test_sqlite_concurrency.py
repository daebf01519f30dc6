"""One process on SQLite under concurrent requests: no `database is locked` reaches a user."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import httpx

from lastresort.doctor import check
from tests.servers import Server
from tests.test_service import make_service


def test_concurrent_posts_on_sqlite_never_surface_lock_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/busy.db"
    service = make_service(url)
    _, token = service.add_user("busy")
    server = Server(url, log=tmp_path / "server.log").start()
    headers = {"Authorization": f"Bearer {token}"}
    codes: Counter[int] = Counter()
    bodies: list[str] = []
    lock = threading.Lock()
    shared = httpx.post(f"{server.url}/v1/conversations", json={}, headers=headers).json()["id"]

    def worker(i: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            own = client.post("/v1/conversations", json={}).json()["id"]
            for j in range(15):
                cid = shared if j % 3 == 0 else own  # some contention on one conversation, most on many
                r = client.post(f"/v1/conversations/{cid}/messages", json={"content": f"worker {i} says {j}"})
                with lock:
                    codes[r.status_code] += 1
                    if r.status_code >= 500:
                        bodies.append(r.text)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    server.stop()
    log = (tmp_path / "server.log").read_text()
    assert not bodies and "database is locked" not in log, (bodies[:3], log[-2000:])
    assert set(codes) <= {201, 409} and codes[201] >= 12 * 10  # 409 reply_pending only on the shared one
    assert check(service.store).ok
