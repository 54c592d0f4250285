"""Fixtures of the process tests: a file database shared by the test and the processes it
starts (SQLite in tmp, or a fresh PostgreSQL database), and helpers to run the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clientela_test_support import database_vendor

SCRIPT = Path(__file__).with_name("db_script.py")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the kind this pass runs on."""
    if database_vendor() == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        return
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = f"clientela_jobs_{os.getpid()}"
    admin = dict(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                 password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (":" + db["PASSWORD"] if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Processes:
    """Runs the CLI and the helper script against one database, with one environment."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.env = {**os.environ, "CLIENTELA_DATABASE_URL": database_url, "CLIENTELA_DEMO": "1",
                    "CLIENTELA_JOB_TIMEOUT": "3", "CLIENTELA_JOB_RETRY_SECONDS": "1"}
        for name in ("PYTEST_VERSION", "DJANGO_SETTINGS_MODULE", "CLIENTELA_SECRET_KEY"):
            self.env.pop(name, None)
        self.started: list[subprocess.Popen[bytes]] = []

    def cli(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run([sys.executable, "-m", "clientela.cli", *args], env=self.env, cwd=self.tmp_path,
                              capture_output=True, timeout=timeout)
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return done.stdout.decode()

    def script(self, *args: str) -> Any:
        done = subprocess.run([sys.executable, str(SCRIPT), *args], env=self.env, cwd=self.tmp_path,
                              capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return json.loads(done.stdout.decode().strip().splitlines()[-1])

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "clientela.cli", "worker", "--interval", "0.2"],
                                   env=self.env, cwd=self.tmp_path, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def processes(database_url: str, tmp_path: Path) -> Iterator[Processes]:
    runner = Processes(database_url, tmp_path)
    runner.cli("migrate")
    yield runner
    runner.stop_all()
