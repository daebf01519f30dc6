"""/metrics: counters and the assessor histogram move with real turns through the service and the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from lastresort.api.app import create_app
from lastresort.responders.offline import OfflineResponder
from lastresort.service import ConversationService
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import Store
from tests.conftest import TaggedAssessor

ABUSE = "you are useless [abuse]"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    engine = create_store_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade(engine)
    service = ConversationService(Store(engine), assessor=TaggedAssessor(), responder=OfflineResponder())
    _, token = service.add_user("metrics")
    yield TestClient(create_app(service=service)), {"Authorization": f"Bearer {token}"}
    service.store.close()


def test_metrics_count_turns_actions_endings_crisis_and_disputes(client: tuple[TestClient, dict[str, str]]) -> None:
    http, h = client
    before = {
        "turns": value("lastresort_turns_total"), "redirect": value("lastresort_actions_total", action="redirect"),
        "end": value("lastresort_endings_total", category="abuse", by="policy"),
        "crisis": value("lastresort_crisis_support_turns_total"), "disputes": value("lastresort_disputes_total"),
        "latency": value("lastresort_assessor_latency_seconds_count", assessor="tagged"),
    }
    cid = http.post("/v1/conversations", json={}, headers=h).json()["id"]
    for _ in range(4):
        last = http.post(f"/v1/conversations/{cid}/messages", json={"content": ABUSE}, headers=h).json()
    other = http.post("/v1/conversations", json={}, headers=h).json()["id"]
    http.post(f"/v1/conversations/{other}/messages", json={"content": "I feel awful [self_harm_risk]"}, headers=h)
    ending_id = last["assistant_message"]["id"]
    r = http.post(f"/v1/conversations/{cid}/messages/{ending_id}/feedback", json={"dispute": True}, headers=h)
    assert r.status_code == 201, r.text

    assert value("lastresort_turns_total") - before["turns"] == 5
    assert value("lastresort_actions_total", action="redirect") - before["redirect"] == 2
    assert value("lastresort_endings_total", category="abuse", by="policy") - before["end"] == 1
    assert value("lastresort_crisis_support_turns_total") - before["crisis"] == 1
    assert value("lastresort_disputes_total") - before["disputes"] == 1
    assert value("lastresort_assessor_latency_seconds_count", assessor="tagged") - before["latency"] == 5

    page = http.get("/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    for name in ("lastresort_turns_total", 'lastresort_actions_total{action="warn"}',
                 'lastresort_endings_total{by="policy",category="abuse"}', "lastresort_crisis_support_turns_total",
                 "lastresort_disputes_total", "lastresort_assessor_latency_seconds_bucket"):
        assert name in page.text


def test_welfare_endpoint(client: tuple[TestClient, dict[str, str]]) -> None:
    http, h = client
    cid = http.post("/v1/conversations", json={}, headers=h).json()["id"]
    for content in ["hi", ABUSE, ABUSE, "ok", ABUSE, ABUSE]:
        http.post(f"/v1/conversations/{cid}/messages", json={"content": content}, headers=h)
    r = http.get(f"/v1/conversations/{cid}/welfare", headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {"user_turns": 6, "refusals": 0, "redirections": 2, "warnings": 1, "crisis_support_turns": 0,
                        "check_in_turns": 0, "harmful_turns": 4, "harmful_after_pushback": 3, "longest_harmful_run": 2,
                        "model_end_requests": 0, "model_end_allowed": False, "ended_by": "policy", "ended_at": 6}
    assert http.get("/v1/conversations/nope/welfare", headers=h).status_code == 404
    assert http.get(f"/v1/conversations/{cid}/welfare").status_code == 401
