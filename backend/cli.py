"""The ``batt`` command: serve, migrate, seed demo data, manage accounts, export the schema."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

from backend import domains
from backend.backup import register as register_backup
from backend.crypto.cli import register as register_keys
from backend.geo.cli import register as register_areas
from backend.settings import ConfigurationError, Settings, load_settings


async def _with_db(settings: Settings, work: Callable[[], Awaitable[object]]) -> object:
    from backend import db

    await db.init_db(settings)
    try:
        return await work()
    finally:
        await db.close_db()


async def _migrate(settings: Settings) -> None:
    from backend import db

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            print(f"  applied {app_label}.{name}")

    await db.migrate(settings, progress=progress)
    await db.close_db()


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    print(f"Migrating {_describe_db(settings)} …")
    asyncio.run(_migrate(settings))
    print("Database is at the current schema.")
    return 0


def cmd_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from backend.demo import seed_demo

    asyncio.run(_with_db(settings, partial(seed_demo, settings)))
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from backend.accounts import services
    from backend.errors import ServiceError

    async def work() -> object:
        roles = [services.parse_role(r) for r in args.role]
        return await services.create_user(
            name=args.name, phone=args.phone, password=args.password, roles=roles,
            skpd_code=args.skpd, nik=args.nik,
        )

    try:
        user = asyncio.run(_with_db(settings, work))
    except ServiceError as exc:
        for error in exc.errors:
            print(f"error: {error.field or '-'}: {error.code.message('en', **error.params)} "
                  f"[{error.code.value}]", file=sys.stderr)
        return 2
    print(f"Created user {user.id}: {user.name} {user.phone} roles={','.join(args.role)}")
    return 0


def cmd_export_schema(args: argparse.Namespace, settings: Settings | None) -> int:
    from backend.schema import export_sdl

    sdl = export_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
        print(f"Wrote {args.output}")
    return 0


def cmd_run_jobs(args: argparse.Namespace, settings: Settings) -> int:
    from backend import jobs

    async def work() -> object:
        if args.once:
            for name, run in (await jobs.run_once(settings)).items():
                print(f"{name}: {run.outcome}" + (f" {run.result}" if run.result else ""))
            return None
        return await jobs.run_forever(settings)

    asyncio.run(_with_db(settings, work))
    return 0


def cmd_makemigrations(args: argparse.Namespace, settings: Settings) -> int:
    from tortoise.cli.cli import run_cli_async

    argv = ["--config", "backend.tortoise_conf.TORTOISE_ORM", "makemigrations", *args.apps]
    if args.name:
        argv += ["--name", args.name]
    return asyncio.run(run_cli_async(argv))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from backend.media.pipeline import imaging_library

    if args.demo:
        print(f"Preparing demo on {_describe_db(settings)} …")
        asyncio.run(_migrate(settings))
        from backend.demo import seed_demo

        asyncio.run(_with_db(settings, partial(seed_demo, settings)))
    base = f"http://{args.host}:{args.port}"
    print(
        f"\nBATT is starting on {base}\n"
        f"  GraphQL API + GraphiQL  {base}/graphql\n"
        f"  Health                  {base}/healthz   {base}/readyz\n"
        f"  Photos                  {imaging_library()}\n",
        flush=True,
    )
    if args.workers > 1 and settings.database_dialect == "sqlite":
        print("note: several workers on SQLite share one file; use PostgreSQL for that.",
              file=sys.stderr)
    _prepare_metrics_directory(settings)
    from backend.observability.logs import configure_logging, uvicorn_log_config

    configure_logging(args.log_level, json_lines=settings.log_format == "json")
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # X-Forwarded-For is believed only from the reverse proxies named in
        # BATT_TRUSTED_PROXIES: from anyone else it would let a client pick its own address
        # and dodge every per-address limit.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or "",
        # The sans-I/O implementation: uvicorn's default one uses websockets' deprecated API.
        ws="websockets-sansio",
        # A WebSocket message is one GraphQL request: the same size limit as an HTTP body,
        # refused (close 1009) before it is buffered whole.
        ws_max_size=settings.graphql_max_request_bytes,
        # uvloop's event loop and the httptools parser: less CPU per request than the pure
        # Python defaults, which is what the 2-core intake target is about.
        loop="uvloop",
        http="httptools",
        log_level=args.log_level,
        # JSON lines, redacted, one per request from the request middleware (which replaces
        # uvicorn's access log: that one prints query strings).
        log_config=uvicorn_log_config(args.log_level) if settings.log_format == "json" else None,
        access_log=False,
    )
    return 0


def _prepare_metrics_directory(settings: Settings) -> None:
    """prometheus-client's multi-process mode: every worker writes its metrics under one
    fresh directory, which /metrics aggregates (set before the workers import the library)."""
    import os
    import shutil

    directory = settings.var_dir / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)  # not a setting: for the workers


def _describe_db(settings: Settings) -> str:
    if settings.database_dialect == "sqlite":
        return f"SQLite {settings.database_url.removeprefix('sqlite://')}"
    return "PostgreSQL " + settings.database_url.rsplit("@", 1)[-1]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="batt", description="BATT smart-city backend")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP/WebSocket server")
    serve.add_argument("--demo", action="store_true",
                       help="migrate and load the Kota Batu demo data first")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (use PostgreSQL for more than one)")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="bring the database to the current schema").set_defaults(
        func=cmd_migrate
    )
    sub.add_parser("seed-demo", help="load the Kota Batu demo data").set_defaults(
        func=cmd_seed_demo
    )

    create_user = sub.add_parser("create-user", help="create an account with roles")
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--phone", required=True)
    create_user.add_argument("--password", required=True)
    create_user.add_argument("--role", action="append", required=True,
                             help="repeat for several roles")
    create_user.add_argument("--skpd", help="SKPD code, required for --role responder")
    create_user.add_argument("--nik")
    create_user.set_defaults(func=cmd_create_user)

    run_jobs = sub.add_parser(
        "run-jobs", help="run the periodic jobs (SLA, auto-close, push outbox) here; server "
        "processes run them too (on PostgreSQL each job in one process at a time)")
    run_jobs.add_argument("--once", action="store_true", help="one round, then exit")
    run_jobs.set_defaults(func=cmd_run_jobs)

    export = sub.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument("--output", default="schema.graphql")
    export.set_defaults(func=cmd_export_schema)

    makemigrations = sub.add_parser("makemigrations", help="(developers) write new migrations")
    makemigrations.add_argument("apps", nargs="*")
    makemigrations.add_argument("--name")
    makemigrations.set_defaults(func=cmd_makemigrations)
    register_areas(sub)
    register_keys(sub)
    for register_domain_commands in domains.collect("cli"):
        register_domain_commands(sub)
    register_backup(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from backend.observability.logs import configure_logging

    # Commands talk to a person: plain lines (redacted like the server's). `serve` switches
    # to JSON lines.
    configure_logging("info", json_lines=False)
    args = build_parser().parse_args(argv)
    if getattr(args, "no_settings", False):
        return args.func(args, None) or 0
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return args.func(args, settings) or 0


if __name__ == "__main__":
    raise SystemExit(main())
