"""The ``clientela`` command."""

from __future__ import annotations

import click

from clientela import __version__
from clientela.cli.api_tokens import token
from clientela.cli.campaigns import campaign
from clientela.cli.data import export_cmd, import_cmd
from clientela.cli.demo import demo
from clientela.cli.digest import digest, notify
from clientela.cli.gdpr import gdpr
from clientela.cli.imports import imports
from clientela.cli.lazy import LazyGroup
from clientela.cli.playbooks import playbook
from clientela.cli.schedule import schedule
from clientela.cli.scoring import report, score
from clientela.cli.server import migrate, serve
from clientela.cli.surveys import survey
from clientela.cli.users import user
from clientela.cli.webhooks import webhook
from clientela.cli.worker import worker


@click.group(cls=LazyGroup, lazy_commands={"value": "clientela.cli.value:value"},
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clientela")
def main() -> None:
    """Clientela: a CRM that manages customers as capital.

    Configuration comes from the environment: CLIENTELA_DATABASE_URL,
    CLIENTELA_SECRET_KEY, CLIENTELA_DEBUG (see the README).
    """


main.add_command(demo)
main.add_command(serve)
main.add_command(migrate)
main.add_command(user)
main.add_command(import_cmd)
main.add_command(export_cmd)
main.add_command(token)
main.add_command(gdpr)
main.add_command(score)
main.add_command(report)
main.add_command(campaign)
main.add_command(playbook)
main.add_command(survey)
main.add_command(worker)
main.add_command(imports)
main.add_command(schedule)
main.add_command(digest)
main.add_command(notify)
main.add_command(webhook)
