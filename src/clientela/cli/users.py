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
        _, used = create_user(None, name, role=role, password=password, email=email)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created user {name!r} with role {role}.")
    if password is None:
        click.echo(f"Generated password (shown once): {used}")


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def role(name: str, role: str) -> None:
    """Give user NAME the ROLE (an administrator is also staff and superuser; every other
    role is neither)."""
    setup_django()
    from clientela.crm.accounts.actions import set_role
    from clientela.crm.accounts.models import User

    found = User.objects.filter(username=name).first()
    if found is None:
        raise click.ClickException(f"name: no user {name!r}")
    set_role(None, found, role=role)
    click.echo(f"User {name!r} now has role {role}.")
