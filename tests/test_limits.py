"""Input and rate limits: clear errors (422, 429 with Retry-After), nothing changed."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lastresort.api.app import create_app
from lastresort.config import Settings
from lastresort.errors import InvalidInput
from lastresort.ratelimit import Limit, MemoryCounter, RateLimiter, parse_limit
from lastresort.service import ConversationService
from tests.conftest import make_service


def make(tmp_path: Path, name: str = "l.db", **settings: Any) -> ConversationService:
    return make_service(f"sqlite:///{tmp_path}/{name}", **settings)


def test_parse_limit() -> None:
    assert parse_limit("60/minute") == Limit(60, 60) and parse_limit("5/10s") == Limit(5, 10)
    assert parse_limit("off").count == 0
    with pytest.raises(InvalidInput, match="not like"):
        parse_limit("lots")


def test_fixed_window_counting() -> None:
    limiter = RateLimiter(MemoryCounter(), per_user=Limit(2, 60), per_ip=Limit(0, 60))
    assert limiter.check("user", "a", now=120.0) is None and limiter.check("user", "a", now=121.0) is None
    assert limiter.check("user", "a", now=150.0) == pytest.approx(30.0)
    assert limiter.check("user", "b", now=150.0) is None  # per key
    assert limiter.check("user", "a", now=180.0) is None  # next window
    assert limiter.check("ip", "x", now=1.0) is None  # 0 disables


def test_per_user_and_per_ip_limits_answer_429_with_retry_after(tmp_path: Path) -> None:
    service = make(tmp_path, rate_limit_user="3/minute", rate_limit_ip="5/minute")
    client = TestClient(create_app(service=service))
    tokens = [service.add_user(n)[1] for n in ("a", "b")]
    codes = [client.get("/v1/conversations", headers={"Authorization": f"Bearer {tokens[0]}"}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = client.get("/v1/conversations", headers={"Authorization": f"Bearer {tokens[0]}"})
    assert r.json()["error"] == "rate_limited" and 1 <= int(r.headers["Retry-After"]) <= 60
    # The other user still has their own budget until the client address runs out.
    r = client.get("/v1/conversations", headers={"Authorization": f"Bearer {tokens[1]}"})
    assert r.status_code == 429 and r.json()["limit"] == "ip"  # 6th request from this address
    assert client.get("/healthz").status_code == 200  # health checks are not limited


def test_two_replicas_share_one_limit_through_redis(tmp_path: Path) -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except Exception:
        if Settings is None:  # pragma: no cover
            raise
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    # A unique user name per run, so counters left in Redis by an earlier run never interfere.
    a = make(tmp_path, "shared.db", rate_limit_user="4/minute", rate_limit_ip="off",
             redis_url="redis://127.0.0.1:6379/0")
    b = make(tmp_path, "shared.db", rate_limit_user="4/minute", rate_limit_ip="off",
             redis_url="redis://127.0.0.1:6379/0")
    _, token = a.add_user(f"shared-{uuid.uuid4().hex[:8]}")
    headers = {"Authorization": f"Bearer {token}"}
    replicas = [TestClient(create_app(service=a)), TestClient(create_app(service=b))]
    codes = [replicas[i % 2].get("/v1/conversations", headers=headers).status_code for i in range(6)]
    assert codes == [200, 200, 200, 200, 429, 429]


def test_depth_and_fan_out_limits(tmp_path: Path) -> None:
    service = make(tmp_path, max_depth=5, max_siblings=2)
    user = service.local_user("d")
    conv = service.create_conversation(user)
    first = service.post_message(user, conv.id, "one")
    service.post_message(user, conv.id, "two")
    with pytest.raises(InvalidInput, match="reached 5 messages"):
        service.post_message(user, conv.id, "three")
    assert first.user_message is not None
    service.post_message(user, conv.id, "one, edited", edit_of=first.user_message.id)
    with pytest.raises(InvalidInput, match="already has 2"):
        service.post_message(user, conv.id, "one, edited again", edit_of=first.user_message.id)
    service.retry(user, conv.id, first.assistant_message.id)
    with pytest.raises(InvalidInput, match="already has 2"):
        service.retry(user, conv.id, first.assistant_message.id)
    assert len(service.get_conversation(user, conv.id).messages) == 7


def test_zalgo_and_emoji_are_stored_intact_and_assessed(tmp_path: Path) -> None:
    from lastresort.bootstrap import open_service

    service = open_service(Settings(database_url=f"sqlite:///{tmp_path}/z.db"))  # the built-in assessor
    user = service.local_user("z")
    conv = service.create_conversation(user)
    zalgo = "".join(ch + "\u0336\u0334\u0337" * 10 for ch in "you are an idiot") + " 🤖"
    turn = service.post_message(user, conv.id, zalgo)
    assert turn.user_message is not None and turn.user_message.content == zalgo
    assert turn.assistant_message.decision["action"] == "redirect"  # type: ignore[index]
