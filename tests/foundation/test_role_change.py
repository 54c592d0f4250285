"""Issue 20, F1: a role change sets the admin flags with it, wherever it is made.

Repro: ``clientela user create adm2 --role admin``; another admin sets adm2's role to
Read-only in ``/admin/accounts/user/<id>/change/``; adm2 must then lose the admin
(``/admin/parties/party/`` answered 200 before the fix).
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from django.test import Client

from clientela.cli.main import main
from clientela.crm.accounts.actions import create_user, set_role
from clientela.crm.accounts.models import User
from clientela.crm.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _change_form(client: Client, user: User) -> dict[str, str]:
    """The user change form as the admin renders it (the fields a browser would post)."""
    html = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    data = {name: value for name, value in re.findall(r'<input type="(?:text|email)" name="(\w+)" value="([^"]*)"', html)}
    data.update({"role": user.role, "team": "", "is_active": "on", "_save": "Save"})
    return data


def test_demoting_an_admin_in_the_admin_removes_superuser() -> None:
    result = CliRunner().invoke(main, ["user", "create", "adm2", "--role", "admin", "--password", "pw-adm2-long"])
    assert result.exit_code == 0, result.output
    create_user(None, "boss", role="admin", password="pw-boss-long")
    adm2 = User.objects.get(username="adm2")
    assert adm2.is_superuser and adm2.is_staff

    boss = Client()
    assert boss.login(username="boss", password="pw-boss-long")
    data = _change_form(boss, adm2) | {"role": "read_only"}
    response = boss.post(f"/admin/accounts/user/{adm2.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    adm2.refresh_from_db()
    assert (adm2.role, adm2.is_staff, adm2.is_superuser) == ("read_only", False, False)
    entries = AuditEntry.objects.filter(entity="user", object_id=str(adm2.pk), actor_name="boss")
    assert {e.field for e in entries} >= {"role", "is_superuser", "is_staff"}

    demoted = Client()
    assert demoted.login(username="adm2", password="pw-adm2-long")
    assert demoted.get("/admin/parties/party/").status_code in (302, 403)
    own = demoted.post(f"/admin/accounts/user/{adm2.pk}/change/", _change_form(boss, adm2) | {"role": "admin"})
    assert own.status_code in (302, 403)
    adm2.refresh_from_db()
    assert adm2.role == "read_only" and not adm2.is_superuser


def test_the_user_form_offers_no_flag_of_its_own() -> None:
    """Staff, superuser, groups and permissions follow the role: the form cannot set them."""
    create_user(None, "boss", role="admin", password="pw-boss-long")
    rep, _ = create_user(None, "rep", role="sales_rep", password="pw-rep-long")
    boss = Client()
    assert boss.login(username="boss", password="pw-boss-long")
    data = _change_form(boss, rep) | {"is_superuser": "on", "is_staff": "on", "groups": "1"}
    assert boss.post(f"/admin/accounts/user/{rep.pk}/change/", data).status_code == 302
    rep.refresh_from_db()
    assert not rep.is_superuser and not rep.is_staff
    assert boss.get("/admin/auth/group/").status_code == 404


@pytest.mark.parametrize("role", ["admin", "manager", "read_only"])
def test_set_role_sets_the_flags(role: str) -> None:
    user, _ = create_user(None, "someone", role="admin")
    set_role(None, user, role=role)
    user.refresh_from_db()
    assert user.is_superuser is (role == "admin") and user.is_staff is (role == "admin")


def test_cli_role_command_and_createsuperuser() -> None:
    create_user(None, "adm3", role="admin")
    result = CliRunner().invoke(main, ["user", "role", "adm3", "analyst"])
    assert result.exit_code == 0, result.output
    adm3 = User.objects.get(username="adm3")
    assert (adm3.role, adm3.is_superuser) == ("analyst", False)
    assert CliRunner().invoke(main, ["user", "role", "nobody", "admin"]).exit_code != 0
    made = User.objects.create_superuser("root2", "root2@example.com", "pw-root2-long")
    assert made.role == "admin"


def test_password_change_in_the_admin_is_audited() -> None:
    create_user(None, "boss", role="admin", password="pw-boss-long")
    rep, _ = create_user(None, "rep", role="sales_rep", password="pw-rep-long")
    boss = Client()
    assert boss.login(username="boss", password="pw-boss-long")
    response = boss.post(f"/admin/accounts/user/{rep.pk}/password/", {
        "usable_password": "true", "password1": "A-new-long-passw0rd", "password2": "A-new-long-passw0rd",
    })
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("A-new-long-passw0rd")
    entry = AuditEntry.objects.get(entity="user", object_id=str(rep.pk), field="password")
    assert entry.actor_name == "boss" and "A-new" not in (entry.new or "")
