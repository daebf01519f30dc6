"""Latency the proxy adds per chat completion, against calling the upstream directly, measured in one run.

    .venv/bin/python benchmarks/proxy_benchmark.py                      # writes docs/proxy-benchmark.md
    .venv/bin/python benchmarks/proxy_benchmark.py --requests 100 --assessor rules

A local fake upstream (tests/fake_providers.py: the OpenAI wire format, answering at once, or after
``--model-ms``) serves both paths; the proxy runs as ``lastresort proxy`` does (uvicorn, the configured assessor,
a durable SQLite file). Each conversation grows turn by turn, every request resending the whole history, as chat
apps do; the direct requests are the very same bodies. Requests alternate (direct, proxy) so both see the same
machine load. Printed: per mode p50/p90/p99 in ms, the added milliseconds and the ratio of medians.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_providers import FakeServer, Script, openai_app, serve  # noqa: E402

from lastresort.bootstrap import open_service  # noqa: E402
from lastresort.config import Settings  # noqa: E402
from lastresort.core.assessment import AssessContext  # noqa: E402
from lastresort.proxy.app import ProxyConfig, create_proxy_app  # noqa: E402

TURNS = ["Can you help me plan a trip to Lisbon?", "What should I see on the first day?",
         "Where can I eat near the castle?", "Is the tram worth it?", "What about a day trip to Sintra?",
         "How much should I budget per day?", "Any tips for the airport?", "Thanks, what's the weather like?"]
REPLY = ("Here is a short answer with a few sentences, roughly the size of a typical model reply. " * 3).strip()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    pieces = tuple(REPLY[i:i + 20] for i in range(0, len(REPLY), 20))
    fake = FakeServer(default=Script(text=pieces, delay=args.model_ms / 1000))
    times: dict[str, dict[str, list[float]]] = {"plain": {"direct": [], "proxy": []},
                                                "stream": {"direct": [], "proxy": []}}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/proxy.db", assessor=args.assessor)
        service = open_service(settings)
        service.assessor.assess("warm-up", AssessContext())
        with serve(openai_app(fake, plain=True), fake, "/v1") as upstream:
            app = create_proxy_app(service, ProxyConfig(upstream=upstream.url))
            with serve(app, FakeServer(), "/v1") as proxy, httpx.Client(timeout=60) as client:
                targets = {"direct": upstream.url, "proxy": proxy.url}
                for stream in (False, True):
                    kind = "stream" if stream else "plain"
                    n = conversation = 0
                    while n < args.requests + args.warmup:
                        conversation += 1
                        history: list[dict[str, Any]] = []
                        for turn in TURNS[: args.requests + args.warmup - n]:
                            history.append({"role": "user", "content": f"{turn} ({kind} trip {conversation})"})
                            body = {"model": "m", "messages": history, "stream": stream}
                            for mode, url in targets.items():
                                started = time.perf_counter()
                                with client.stream("POST", url + "/chat/completions", json=body) as response:
                                    response.read()
                                    assert response.status_code == 200, response.text
                                elapsed = (time.perf_counter() - started) * 1000
                                if n >= args.warmup:
                                    times[kind][mode].append(elapsed)
                            history.append({"role": "assistant", "content": REPLY})
                            n += 1
        service.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="turns measured per kind (JSON, stream)")
    parser.add_argument("--warmup", type=int, default=16, help="turns not counted")
    parser.add_argument("--assessor", default="builtin")
    parser.add_argument("--model-ms", type=float, default=0.0, help="the fake upstream's delay before replying")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "proxy-benchmark.md")
    args = parser.parse_args()
    times = run(args)
    rows = []
    for kind, by_mode in times.items():
        direct, proxy = by_mode["direct"], by_mode["proxy"]
        d50, p50 = statistics.median(direct), statistics.median(proxy)
        rows.append(f"| {kind} | {len(direct)} | {d50:.1f} / {percentile(direct, 0.9):.1f} / "
                    f"{percentile(direct, 0.99):.1f} | {p50:.1f} / {percentile(proxy, 0.9):.1f} / "
                    f"{percentile(proxy, 0.99):.1f} | {p50 - d50:.1f} | {p50 / d50:.2f} |")
    load = os.getloadavg()
    report = "\n".join([
        "# Proxy latency benchmark",
        "",
        f"Written by `benchmarks/proxy_benchmark.py --requests {args.requests} --assessor {args.assessor} "
        f"--model-ms {args.model_ms:g}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at the end (the machine is shared with other jobs).",
        "",
        "Each turn of 8-turn conversations resends the whole history (JSON requests in some conversations, "
        "streamed ones in others) to the fake upstream directly and through the proxy, alternating. "
        "The proxy's work per request: find the "
        "history's hash chain, assess the new user message, fold the policy, store the user message and the "
        f"reply in two transactions plus the chain records (durable SQLite), and relay the bytes. The fake "
        f"upstream replies after {args.model_ms:g} ms, so the *added* milliseconds are the figure to read; the "
        "ratio is against an upstream far faster than any model.",
        "",
        "| request | n | direct p50 / p90 / p99 ms | proxy p50 / p90 / p99 ms | added p50 ms | ratio of p50 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
    ])
    print(report)
    args.out.write_text(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
