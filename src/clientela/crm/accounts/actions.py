"""Every write to users and teams.

A user's role decides their Django admin flags: an administrator is staff and superuser,
every other role is neither (the admin is for configuration, which only administrators
do). ``set_role`` is the one place that changes a role, so a demotion never leaves
``is_superuser`` behind (issue 20, F1); ``create_user``, the admin's user form and
``clientela user role`` all go through it. Changes are audited (entity ``user``);
password values are never recorded.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from clientela.crm.accounts.models import Role, Team, User
from clientela.crm.accounts.permissions import admin_flags
from clientela.crm.audit.actions import diff, record_change

# Fields of a user the audit trail records (never the password hash).
USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "role", "team_id",
               "is_staff", "is_superuser")
# What ``update_user`` may change; role and flags only through ``set_role``.
EDITABLE = ("username", "first_name", "last_name", "email", "is_active", "team")


class UserError(ValueError):
    """A user could not be created or changed; the message names the field."""


def _values(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in USER_FIELDS}


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise UserError(f"role: {role!r} is not one of {', '.join(Role.values)}")


@transaction.atomic
def create_user(
    actor: Any, username: str, *, role: str, password: str | None = None, email: str = "",
    team: Team | None = None,
) -> tuple[User, str]:
    """Create a user with a role; return it and the password (generated when not given).
    ``actor`` is who creates it (``None``: the command line)."""
    _check_role(role)
    if not username.strip():
        raise UserError("username: must not be empty")
    if User.objects.filter(username=username).exists():
        raise UserError(f"username: {username!r} already exists")
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_user(
        username=username, email=email, password=password, role=role, team=team, **admin_flags(role),
    )
    record_change(actor, entity="user", object_id=user.pk, action="create",
                  changes={k: (None, v) for k, v in _values(user).items() if v not in (None, "")})
    return user, password


@transaction.atomic
def set_role(actor: Any, user: User, *, role: str) -> User:
    """Give ``user`` the ``role`` and the admin flags that go with it; audited."""
    _check_role(role)
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = _values(locked)
    locked.role = role
    for name, value in admin_flags(role).items():
        setattr(locked, name, value)
    locked.save(update_fields=["role", "is_staff", "is_superuser"])
    changed = diff(before, _values(locked))
    if changed:
        record_change(actor, entity="user", object_id=locked.pk, action="update", changes=changed)
    for name in ("role", "is_staff", "is_superuser"):
        setattr(user, name, getattr(locked, name))
    return locked


@transaction.atomic
def update_user(actor: Any, user: User, changes: Mapping[str, Any]) -> User:
    """Change a user's names, email, team or active flag (``role`` goes to ``set_role``)."""
    unknown = set(changes) - set(EDITABLE) - {"role"}
    if unknown:
        raise UserError(f"{sorted(unknown)[0]}: cannot be changed here")
    before = _values(user)
    for name, value in changes.items():
        if name != "role":
            setattr(user, name, value)
    user.save()
    changed = diff(before, _values(user))
    if changed:
        record_change(actor, entity="user", object_id=user.pk, action="update", changes=changed)
    if "role" in changes:
        user = set_role(actor, user, role=changes["role"])
    return user


@transaction.atomic
def set_password(actor: Any, user: User, password: str | None) -> None:
    """Set a user's password (``None``: no password login); the trail records that it
    changed, never the value."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_change(actor, entity="user", object_id=user.pk, action="update",
                  changes={"password": ("[hidden]", "[changed]")})


def delete_user(actor: Any, user: User) -> None:
    """Delete a user; the trail keeps their last values and records every record that
    loses them as owner or assignee (``crm.configuration.delete_configuration``)."""
    from clientela.crm.configuration import delete_configuration

    delete_configuration(actor, user)
