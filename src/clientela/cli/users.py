"""``clientela user …``."""

from __future__ import annotations

import click

from clientela.cli.django_setup import setup_django

ROLES = ["admin", "manager", "sales_rep", "service_agent", "marketer", "analyst", "read_only"]


@click.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may do.")
@click.option("--password", default=None, help="Password; generated and printed once when omitted.")
@click.option("--email", default="", help="Email address.")
def create(name: str, role: str, password: str | None, email: str) -> None:
    """Create user NAME with a ROLE."""
    setup_django()
    from clientela.crm.accounts.actions import UserError, create_user

    try:
        _, used = create_user(name, role=role, password=password, email=email)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created user {name!r} with role {role}.")
    if password is None:
        click.echo(f"Generated password (shown once): {used}")
