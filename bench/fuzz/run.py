"""The long fuzz run: tests/backend/test_fuzz.py round after round, each with a fresh seed
and many more examples than `make test` uses, until the time is up; then the totals.

    .venv/bin/python bench/fuzz/run.py [--minutes 10] [--examples 400] [--postgres URL]

Every round is a pytest session on its own fresh database (SQLite by default; --postgres
creates and drops one on that server, like the suite). Failures are printed as found (no
shrinking: a long run reports, it does not minimise) and the pytest output of a failed
round is kept in var/fuzz/. Exit status 1 if any round found an internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTEST = str(Path(sys.executable).with_name("pytest"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--examples", type=int, default=400, help="per test and round")
    parser.add_argument("--postgres", help="e.g. postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    out_dir = ROOT / "var" / "fuzz"
    out_dir.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + args.minutes * 60
    started = time.monotonic()
    totals: Counter[str] = Counter()
    rounds = failed = 0
    while time.monotonic() < deadline:
        rounds += 1
        seed = random.randrange(2**32)
        with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as report:
            env = {**os.environ, "PYTHONPATH": str(ROOT), "BATT_FUZZ_EXAMPLES":
                   str(args.examples), "BATT_FUZZ_SHRINK": "0", "BATT_FUZZ_REPORT": report.name}
            if args.postgres:
                env["BATT_TEST_DATABASE_URL"] = args.postgres
            t0 = time.monotonic()
            result = subprocess.run(
                [PYTEST, "tests/backend/test_fuzz.py", "-q", "-p", "no:cacheprovider",
                 f"--hypothesis-seed={seed}"],
                cwd=ROOT, env=env, capture_output=True, text=True,
            )
            counts: Counter[str] = Counter()
            for line in report.read().splitlines():
                row = json.loads(line)
                row.pop("test")
                counts.update(row)
        totals.update(counts)
        status = "ok"
        if result.returncode != 0:
            failed += 1
            log = out_dir / f"round-{rounds}-seed-{seed}.log"
            log.write_text(result.stdout + result.stderr, encoding="utf-8")
            status = f"FAILED (see {log.relative_to(ROOT)})"
        print(f"round {rounds}: seed {seed}, {counts['requests']} requests in "
              f"{time.monotonic() - t0:.0f} s: {status}", flush=True)

    elapsed = time.monotonic() - started
    statuses = {k: v for k, v in sorted(totals.items()) if k.startswith("http ")}
    codes = {k.removeprefix("code "): v for k, v in totals.most_common() if k.startswith("code ")}
    print(f"\n{rounds} rounds, {elapsed / 60:.1f} min, {totals['requests']} requests "
          f"({totals['requests'] / elapsed:.0f}/s) on "
          f"{'PostgreSQL' if args.postgres else 'SQLite'}")
    print(f"HTTP status: {statuses}")
    print(f"error codes: {codes}")
    internal = totals["code INTERNAL_SERVER_ERROR"]
    server_errors = sum(v for k, v in statuses.items() if k >= "http 500")
    print(f"internal errors: {internal}, HTTP 5xx: {server_errors}, failed rounds: {failed}")
    return 1 if failed or internal or server_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
