"""One action signature across the apps (issue 13 item 6; docs/architecture.md, the actions.py room): every public write in a
``crm/<app>/actions.py`` takes the acting user first (``actor``; ``None`` for the system),
keyword arguments after, and writes its audit entry.

``NOT_WRITES`` names the public functions of those modules that write nothing (readers,
pure helpers) or are answered by someone who is not a user (a respondent's link).
``NOT_YET`` lists the writes still to convert: it may only shrink.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest

import clientela.crm

NOT_WRITES = {
    "audit": {"record_change", "field_values", "diff", "created", "deleted", "redact_party", "redact_values"},
    "feedback": {"invitation_token", "invitation_url", "invitation_for_token", "answer"},
    "loyalty": {"points_for"},
    "commerce": {"recompute_totals"},
    "scoring": {"load_inputs", "write_scores"},
}
NOT_YET: dict[str, set[str]] = {
}


def _actions() -> list[tuple[str, str, object]]:
    found = []
    for app in pkgutil.iter_modules(clientela.crm.__path__):
        try:
            module = importlib.import_module(f"clientela.crm.{app.name}.actions")
        except ModuleNotFoundError:
            continue
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            if name in NOT_WRITES.get(app.name, set()):
                continue
            found.append((app.name, name, function))
    return found


def test_every_action_takes_the_acting_user_first():
    wrong = []
    for app, name, function in _actions():
        parameters = list(inspect.signature(function).parameters.values())
        first = parameters[0] if parameters else None
        ok = first is not None and first.name == "actor" and first.kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) and first.default is first.empty
        if ok and name in NOT_YET.get(app, set()):
            wrong.append(f"{app}.{name} conforms now: take it off NOT_YET")
        if not ok and name not in NOT_YET.get(app, set()):
            wrong.append(f"{app}.{name}{inspect.signature(function)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_loyalty_and_survey_writes_are_audited_with_the_acting_user():
    from clientela.crm.accounts.models import User
    from clientela.crm.audit.models import AuditEntry
    from clientela.crm.feedback import actions as feedback
    from clientela.crm.loyalty import actions as loyalty
    from clientela.crm.parties.models import Party

    marta = User.objects.create_user("marta", password="pw-marta-123", role="marketer")
    party = Party.objects.create(name="Anna Nowak", kind="person", ref="P-1")
    programme = loyalty.create_programme(marta, name="Club", points_per_unit=Decimal("1"))
    loyalty.add_tier(marta, programme, name="Silver", threshold=100)
    account = loyalty.open_account(marta, party, programme)
    loyalty.earn(marta, account, 50, reason="welcome")
    loyalty.expire(None, account, 20)  # the nightly expiry: the system
    survey = feedback.create_survey(marta, name="NPS", kind="nps", question="Recommend us?")
    feedback.update_survey(marta, survey, name="NPS 2027")
    feedback.delete_survey(marta, survey)

    def by(entity: str, action: str) -> set[str]:
        return set(AuditEntry.objects.filter(entity=entity, action=action).values_list("actor_name", flat=True))

    assert by("programme", "create") == {"marta"}
    assert by("tier", "create") == {"marta"}
    assert by("loyalty_account", "create") == {"marta"}
    entries = AuditEntry.objects.filter(entity="loyalty_entry", field="kind")
    assert {(e.new, e.actor_name) for e in entries} == {("earn", "marta"), ("expire", "")}
    assert by("survey", "create") == by("survey", "update") == by("survey", "delete") == {"marta"}
    assert AuditEntry.objects.get(entity="survey", action="update").new == "NPS 2027"
