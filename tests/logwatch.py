"""The whole suite's logs, checked for personal data and secrets (issue 15: "a test greps the
logs of the whole suite").

Every record any test makes the code log — at INFO and above, as the server writes it (JSON,
through the redacting filter) — is kept for the session; so are the log files the end-to-end
tests' server processes write under pytest's temporary directory (not the files a browser
profile happens to name ``*.log``). Before each test's data is
wiped, the phone numbers and NIKs of every account it created are read back (decrypted) from
the database. When the session ends, no line may hold any of them, in any of the forms a
phone takes, nor anything shaped like a bearer token or a logged password: otherwise the run
fails and says where.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from backend.observability.logs import JsonFormatter, RedactingFilter

# A JWT (three base64url parts, the header starting '{"') or a password written as a value.
SECRET_SHAPES = (
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    re.compile(r"""["']?password["']?\s*[:=]\s*["'][^"'*\[<]""", re.IGNORECASE),
)
# The test's own HTTP client logs the URLs it requests (query strings included): that is the
# client's side, not the server's log.
CLIENT_SIDE = ("httpx", "httpcore")


class SuiteLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[str, str]] = []  # (test id, written line)
        self.current = "(setup)"
        self.formatter_ = JsonFormatter()
        self.filter_ = RedactingFilter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(CLIENT_SIDE):
            return
        try:
            copy = logging.makeLogRecord(record.__dict__)
            self.filter_.filter(copy)
            self.lines.append((self.current, self.formatter_.format(copy)))
        except Exception:  # a record the formatter cannot write is the test's problem, not ours
            self.handleError(record)


HANDLER = SuiteLog()
NEEDLES: set[str] = set()


def phone_forms(e164: str) -> list[str]:
    national = e164.removeprefix("+62")
    return [e164, e164.lstrip("+"), "0" + national]


def _demo_phone(phone: str) -> bool:
    """The fictional demo accounts' sign-in numbers, which ``batt serve --demo`` prints on
    purpose (the README's demo sign-in), are no one's personal data."""
    from backend.demo import ACTOR_PHONE_PREFIX, DEMO_ACCOUNTS

    return phone.startswith(ACTOR_PHONE_PREFIX) or phone in {a.phone for a in DEMO_ACCOUNTS}


async def harvest_identifiers() -> None:
    """The phones and NIKs of every account in the database now (before a test's wipe)."""
    from backend.accounts.models import User

    try:
        users = await User.all().only("id", "phone", "nik")
    except Exception:  # e.g. a key-rotation test left values under a key no longer loaded
        return
    for user in users:
        if user.phone and not _demo_phone(user.phone):
            NEEDLES.update(phone_forms(user.phone))
        if user.nik:
            NEEDLES.add(user.nik)


def pytest_sessionstart(session: pytest.Session) -> None:
    root = logging.getLogger()
    root.addHandler(HANDLER)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def pytest_runtest_setup(item: pytest.Item) -> None:
    HANDLER.current = item.nodeid


def _server_log_lines(session: pytest.Session) -> list[tuple[str, str]]:
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return []
    try:
        base = factory.getbasetemp()
    except Exception:  # no test asked for a temporary directory
        return []
    lines = []
    for path in Path(base).rglob("*.log"):
        if "chromium" in path.parts:  # a browser profile's storage files, not a log
            continue
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        lines += [(str(path.relative_to(base)), line) for line in text.splitlines()]
    return lines


def leaks(lines: list[tuple[str, str]], needles: set[str]) -> list[str]:
    found = []
    ordered = sorted((n for n in needles if len(n) >= 8), key=len, reverse=True)
    for where, line in lines:
        hit = next((n for n in ordered if n in line), None)
        if hit is None:
            hit = next((m.group(0) for shape in SECRET_SHAPES if (m := shape.search(line))), None)
        if hit is not None:
            found.append(f"{where}: {hit!r} in {line[:300]}")
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(HANDLER)
    lines = HANDLER.lines + _server_log_lines(session)
    found = leaks(lines, NEEDLES)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"log check: {len(lines)} log lines of the suite searched for {len(NEEDLES)} "
            f"phone/NIK forms and token/password shapes: {len(found)} found")
        for leak in found[:20]:
            reporter.write_line(f"  LEAK {leak}", red=True)
    if found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
