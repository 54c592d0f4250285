"""The README documents every CLI command and every setting (Datasette's test_docs idea)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from clientela.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "clientela") -> list[str]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # lazily imported commands too
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
        else:
            found.append(path)
    return found


@pytest.mark.parametrize("command", _commands(main))
def test_every_cli_command_is_in_the_readme(command: str) -> None:
    assert command in README, f"README.md does not document `{command}`"


def _settings_variables() -> set[str]:
    text = (ROOT / "src" / "clientela" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"CLIENTELA_[A-Z_]+", text))


def test_settings_module_reads_variables() -> None:
    assert "CLIENTELA_DATABASE_URL" in _settings_variables()


@pytest.mark.parametrize("variable", sorted(_settings_variables()))
def test_every_setting_is_in_the_readme(variable: str) -> None:
    assert f"`{variable}`" in README, f"README.md does not document `{variable}`"


def test_readme_shows_the_two_commands() -> None:
    assert "pip install . && clientela demo" in README
    assert "pip install -e '.[test]' && pytest" in README


def test_every_command_has_help() -> None:
    from click.testing import CliRunner

    runner = CliRunner()
    for command in _commands(main):
        args = command.split()[1:] + ["--help"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (command, result.output)
        assert "Usage:" in result.output


def test_license_is_the_unmodified_agpl_text() -> None:
    """LICENSE is the FSF's agpl-3.0.txt byte for byte (its published MD5, as Yocto's
    LIC_FILES_CHKSUM lines for AGPL-3.0 projects cite it), matching pyproject's licence."""
    import hashlib

    text = (ROOT / "LICENSE").read_bytes()
    assert hashlib.md5(text, usedforsecurity=False).hexdigest() == "eb1e647870add0502f8f010b19de32af"
    assert text.startswith(b"                    GNU AFFERO GENERAL PUBLIC LICENSE\n")
    assert "AGPL-3.0" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
