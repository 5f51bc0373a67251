"""``batt keys new-key|status|rotate``: the data keys that encrypt phone numbers and NIKs."""

from __future__ import annotations

import argparse
import asyncio
import sys

from backend.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    keys = sub.add_parser("keys", help="data keys protecting phone numbers and NIKs at rest")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)

    new = keys_sub.add_parser(
        "new-key", help="print a new key entry for BATT_DATA_KEYS (put it first)")
    new.add_argument("id", help="a short name for the key, e.g. 2027a")
    new.set_defaults(func=cmd_new_key, no_settings=True)

    status = keys_sub.add_parser("status", help="how many values each key protects")
    status.set_defaults(func=cmd_status)

    rotate = keys_sub.add_parser(
        "rotate", help="re-encrypt every value still under an older key (resumable)")
    rotate.add_argument("--batch", type=int, default=500, help="rows per transaction")
    rotate.set_defaults(func=cmd_rotate)


def cmd_new_key(args: argparse.Namespace, settings: Settings | None) -> int:
    from backend.crypto.keys import DataKeyError, new_key

    try:
        print(new_key(args.id).encoded())
    except DataKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from backend import db
    from backend.crypto.keys import keyring
    from backend.crypto.rotate import key_usage

    async def work() -> dict[str, dict[str, int]]:
        await db.init_db(settings)
        try:
            return await key_usage()
        finally:
            await db.close_db()

    usage = asyncio.run(work())
    ring = keyring()
    print(f"current key: {ring.current.id}   known: {', '.join(ring.ids)}")
    stale = 0
    for table, counts in usage.items():
        listed = ", ".join(f"{k}: {n:,}" for k, n in sorted(counts.items())) or "no values"
        print(f"  {table:<24} {listed}")
        stale += sum(n for k, n in counts.items() if k != ring.current.id)
    print("all values are under the current key" if not stale
          else f"{stale:,} values under older keys: run `batt keys rotate`")
    return 0


def cmd_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from backend import db
    from backend.crypto import rotate

    async def work() -> rotate.RotationResult:
        await db.init_db(settings)
        stop = asyncio.Event()
        try:
            with rotate.stop_on_signals(stop):
                return await rotate.rotate(batch=max(1, args.batch), stop=stop)
        finally:
            await db.close_db()

    try:
        result = asyncio.run(work())
    except KeyboardInterrupt:
        print("aborted; the batch under way was rolled back. Run again to resume.",
              file=sys.stderr)
        return 130
    except (LookupError, ValueError) as exc:  # a value under a key not configured, or damaged
        print(f"error: {exc}", file=sys.stderr)
        return 1
    rewritten = sum(t.rewritten for t in result.tables)
    print(f"re-encrypted {rewritten:,} rows under key {result.key_id}; "
          f"{result.remaining:,} left under older keys")
    if result.interrupted:
        print("interrupted: run `batt keys rotate` again to resume.", file=sys.stderr)
        return 130
    return 0 if result.remaining == 0 else 1
