"""A web process starts light: no pandas, SciPy, pyarrow or DuckDB until a page needs them.

Checked in a fresh interpreter (this test process has long imported them all): it loads
the ``clientela`` command (as ``clientela serve`` does), the WSGI application and the URLconf, renders the login page and asks /healthz, then
reports which of the heavy libraries are in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("pandas", "scipy", "pyarrow", "duckdb")

PROBE = """
import json, sys
import clientela.cli.main  # `clientela serve` loads the whole command line first
from clientela.wsgi import application
from django.test import Client
from django.urls import get_resolver

get_resolver().url_patterns
login = Client().get("/login/")
assert login.status_code == 200, login.status_code
Client().get("/healthz")
print(json.dumps(sorted(name for name in sys.modules if name.partition(".")[0] in HEAVIES)))
"""


def _loaded_after_start(tmp_path: Path, probe: str = PROBE) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CLIENTELA_"))}
    env.update(DJANGO_SETTINGS_MODULE="clientela.settings", CLIENTELA_SECRET_KEY="k" * 50,
               CLIENTELA_DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    code = f"HEAVIES = {HEAVY!r}\n" + probe
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_web_process_starts_without_the_numerical_libraries(tmp_path: Path) -> None:
    assert _loaded_after_start(tmp_path) == []


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check can fail: a page that needs the engines loads them in the same probe."""
    probe = PROBE.replace("Client().get(\"/healthz\")", "import clientela.insight\nclientela.insight.rfm")
    assert "pandas" in _loaded_after_start(tmp_path, probe)
