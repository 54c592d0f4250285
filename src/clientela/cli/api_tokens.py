"""``clientela token …``: personal API tokens."""

from __future__ import annotations

import click

from clientela.cli.django_setup import setup_django


@click.group()
def token() -> None:
    """Manage personal API tokens (Authorization: Bearer …)."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for (shown in lists).")
def create(username: str, name: str) -> None:
    """Create a token for USERNAME and print it once (only its hash is stored)."""
    setup_django()
    from clientela.crm.accounts.api_tokens import TokenError, create_token
    from clientela.crm.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.ClickException(f"USERNAME: no user {username!r}")
    try:
        row, text = create_token(user, name=name)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created token {row.pk} for {username!r}. Copy it now, it is not shown again:")
    click.echo(text)


@token.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID (see `clientela token list`)."""
    setup_django()
    from clientela.crm.accounts.api_tokens import TokenError, revoke_token

    try:
        row = revoke_token(token_id)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked token {row.pk} ({row.prefix}…).")


@token.command("list")
@click.argument("username")
def list_cmd(username: str) -> None:
    """List USERNAME's tokens (never the secrets)."""
    setup_django()
    from clientela.crm.accounts.api_tokens import list_tokens
    from clientela.crm.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.ClickException(f"USERNAME: no user {username!r}")
    click.echo("id\tprefix\tname\tcreated\tlast used\trevoked")
    for row in list_tokens(user):
        click.echo(
            f"{row.pk}\t{row.prefix}\t{row.name}\t{row.created_at:%Y-%m-%d %H:%M}\t"
            f"{row.last_used_at or '-'}\t{row.revoked_at or '-'}"
        )
