"""The test command enforces ruff, mypy and import-linter (CONTRIBUTING.md, "Test it")."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or "ruff"
    result = _run(ruff, "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


# mypy (pyproject.toml): the engines with mypy --strict's checks, the record and the faces with
# mypy's defaults; Django's names are Any except its model choices (typings/README.md).
MYPY_PACKAGES = ("value", "insight", "crm", "api", "web", "cli")


def test_mypy_is_clean() -> None:
    targets = [f"src/clientela/{p}" for p in MYPY_PACKAGES if any((ROOT / "src/clientela" / p).rglob("*.py"))]
    result = _run(sys.executable, "-m", "mypy", *targets)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_layers_hold() -> None:
    """import-linter's contracts in pyproject.toml: faces above the record above the engines,
    no face imports another, and the engines import no Django."""
    lint_imports = shutil.which("lint-imports") or "lint-imports"
    result = _run(lint_imports, "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
