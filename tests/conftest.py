"""Integration harness: a real SMTP server (aiosmtpd), real Celery worker and beat processes.

Workers run against the test database (pytest-django's, committed data: use `transactional_db`)
and the configured broker (filesystem under var/ locally, Redis in CI). Waiting on a separate
process is a bounded poll of the database with a clear timeout; time is otherwise passed in.
"""

from __future__ import annotations

import asyncio
import email
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection

from people.models import EmployeeProfile

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
EMAIL_QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE  # email chunks and every other task
TICK_QUEUE = settings.TICK_QUEUE  # beat's dispatch tick only
ALL_QUEUES = (EMAIL_QUEUE, TICK_QUEUE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.2) -> None:
    """Poll a condition another process will make true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class RecordingHandler:
    """Accepts mail (or refuses it with `refuse`, e.g. '451 4.7.1 Try later') and records what came."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[tuple[str, ...], str, str]] = []  # (rcpt, Message-ID, Subject)
        self.connections = 0
        self.refused = 0
        self.refuse: str | None = None
        self.delay = 0.0  # seconds before each message's reply

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.delay:  # a slow relay: each message takes this long to be accepted
            await asyncio.sleep(self.delay)
        if self.refuse:
            with self.lock:
                self.refused += 1
            return self.refuse
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append((tuple(envelope.rcpt_tos), message["Message-ID"], message["Subject"]))
        return "250 Message accepted for delivery"

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def message_id_counts(self) -> Counter:
        with self.lock:
            return Counter(mid for _, mid, _ in self.messages)


@pytest.fixture
def smtp_server():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Processes:
    """Celery workers and beats started by one test; each stopped (by its own pid) at the end."""

    def __init__(self, tmp_path: Path, smtp: RecordingHandler | None) -> None:
        self.tmp_path = tmp_path
        self.smtp = smtp
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    @property
    def env(self) -> dict:
        """Read when a process starts, so settings a test changed first reach the worker too."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(
            DATABASE_URL=_database_url(),
            SECRET_KEY="integration-test-worker-" + "x" * 40,  # production rules: 50+ characters
            DEBUG="false",
            SECURE_SSL_REDIRECT="false",
            LOG_LEVEL="INFO",
            DISPATCH_CHUNK_SIZE=str(settings.DISPATCH_CHUNK_SIZE),
            DISPATCH_STALE_SECONDS=str(settings.DISPATCH_STALE_SECONDS),
            EMAIL_MAX_ATTEMPTS=str(settings.EMAIL_MAX_ATTEMPTS),
            EMAIL_RETRY_BASE_SECONDS=str(settings.EMAIL_RETRY_BASE_SECONDS),
            MEDIA_ROOT=str(settings.MEDIA_ROOT),  # uploads a test stored (employee imports) are read there
        )
        if self.smtp is not None:
            env["EMAIL_URL"] = f"smtp://127.0.0.1:{self.smtp.port}"
        return env

    def _start(self, args: list[str], name: str, env: dict | None = None) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        proc = subprocess.Popen(
            [CELERY, "-A", "campaignhub", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killing it never touches anyone else's
        )
        self.procs.append((proc, log))
        return proc

    def worker(self, name: str, queues: tuple[str, ...] = ALL_QUEUES) -> subprocess.Popen:
        """One solo-pool worker (a single process, so one SIGKILL kills exactly one sender).

        By default it consumes every queue; `queues=(EMAIL_QUEUE,)` and `(TICK_QUEUE,)` split the
        work the way the Procfile does (email chunks on one worker, the tick on its own).
        """
        proc = self._start(
            [
                "worker",
                "-P",
                "solo",
                "-n",
                f"{name}@%h",
                "-Q",
                ",".join(queues),
                "-l",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            name,
        )
        log = self.tmp_path / f"{name}.log"
        wait_for(
            lambda: b"ready." in log.read_bytes() or proc.poll() is not None, timeout=60, what=f"{name} ready"
        )
        assert proc.poll() is None, log.read_text()
        return proc

    def beat(self, name: str, interval: int = 1) -> subprocess.Popen:
        schedule = self.tmp_path / f"{name}-schedule"
        return self._start(
            ["beat", "-l", "INFO", f"--schedule={schedule}"],
            name,
            {"DISPATCH_INTERVAL_SECONDS": str(interval)},
        )

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, _ in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for _, log in self.procs
        )


@pytest.fixture
def celery_processes(transactional_db, smtp_server, tmp_path):
    """Start workers/beats with processes.worker(name) / .beat(name); all are stopped afterwards.

    The flush after each transactional test empties the role groups and teams; campaigns' post_migrate
    handler (which the flush triggers) puts them back for the tests that follow.
    """
    from campaignhub.celery import app

    with app.connection_for_write() as conn:  # leftovers of an earlier run must not reach this test's workers
        for queue in ALL_QUEUES:
            conn.default_channel.queue_purge(queue)
    processes = Processes(tmp_path, smtp_server)
    yield processes
    processes.stop_all()
    connection.close()


def add_people(n: int, *, department: str = "Sales", prefix: str = "person") -> list[User]:
    users = User.objects.bulk_create(
        [
            User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com", first_name=f"P{i}")
            for i in range(n)
        ]
    )
    EmployeeProfile.objects.bulk_create([EmployeeProfile(user=u, department=department) for u in users])
    return users
