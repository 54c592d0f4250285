"""Every write to users and teams."""

from __future__ import annotations

import secrets

from django.db import transaction

from clientela.crm.accounts.models import Role, User


class UserError(ValueError):
    """A user could not be created; the message names the field."""


@transaction.atomic
def create_user(
    username: str, *, role: str, password: str | None = None, email: str = ""
) -> tuple[User, str]:
    """Create a user with a role; return it and the password (generated when not given)."""
    if role not in Role.values:
        raise UserError(f"role: {role!r} is not one of {', '.join(Role.values)}")
    if not username.strip():
        raise UserError("username: must not be empty")
    if User.objects.filter(username=username).exists():
        raise UserError(f"username: {username!r} already exists")
    password = password or secrets.token_urlsafe(12)
    is_admin = role == Role.ADMIN
    user = User.objects.create_user(
        username=username,
        email=email,
        password=password,
        role=role,
        is_staff=True,
        is_superuser=is_admin,
    )
    return user, password
