"""A playbook's definition: its JSON form, read and checked in one place.

::

    {"trigger": {"kind": "p_alive_below", "threshold": 0.4},
     "conditions": {"value_tiers": ["top"], "countries": ["PL"], "owners": ["anna"], "consent": "email", ...},
     "actions": [{"kind": "task", "title": "Call them", "due_days": 3},
                 {"kind": "message", "campaign": 12}],
     "limits": {"once_per_days": 30, "quiet_start": "21:00", "quiet_end": "08:00", "daily_cap": 200},
     "control_share": 0.1}

Triggers on the scoring run's changes (compared with the run before): ``p_alive_below``
(P(alive) fell below ``threshold``), ``tier_changed``, ``stage_changed``, ``nba_changed``
(value tier, ladder stage, next best action changed; ``to`` narrows to one new value),
``managed_exit`` (a managed exit newly proposed). Triggers on events, looked for by the
``playbooks`` schedule: ``first_order``, ``nps_detractor`` (an NPS answer of 0–6),
``sla_breach`` (a case's SLA passed unresolved), ``no_order_days`` (``days`` since the last
order), ``anniversary`` (of the first order).

Conditions are the segment filters (``engagement.segments``) plus owners (user names),
countries (ISO codes) and consent (an active marketing consent on ``email`` or ``sms``).
Bad input raises ``InvalidInput`` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from clientela.crm.engagement.segments import VALUE_TIERS, parse_definition
from clientela.crm.errors import InvalidInput
from clientela.insight.vocabulary import ACTIONS, STAGES

SCORE_TRIGGERS = ("p_alive_below", "tier_changed", "stage_changed", "nba_changed", "managed_exit")
EVENT_TRIGGERS = ("first_order", "nps_detractor", "sla_breach", "no_order_days", "anniversary")
TRIGGERS = SCORE_TRIGGERS + EVENT_TRIGGERS
ACTION_KINDS = ("task", "case", "campaign", "message", "points", "tag", "webhook")
SEGMENT_FILTERS = ("rfm_segments", "ladder_stages", "actions", "value_tiers", "p_alive_min", "p_alive_max")
CONSENT_CHANNELS = ("email", "sms")
DEFAULT_CONTROL_SHARE = 0.1
PRIORITIES = ("low", "normal", "high", "urgent")

_TO_CHOICES = {"tier_changed": VALUE_TIERS, "stage_changed": STAGES, "nba_changed": ACTIONS}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _number(field: str, value: Any, *, low: float, high: float, whole: bool = False) -> Any:
    if isinstance(value, bool) or value is None or value == "":
        raise InvalidInput({field: f"a number from {low:g} to {high:g} is expected"})
    try:
        number = int(value) if whole else float(value)
    except (TypeError, ValueError):
        raise InvalidInput({field: f"a number from {low:g} to {high:g} is expected"}) from None
    if whole and float(value) != number:
        raise InvalidInput({field: "a whole number is expected"})
    if not (low <= number <= high):  # also refuses NaN
        raise InvalidInput({field: f"a number from {low:g} to {high:g} is expected"})
    return number


def _text(field: str, value: Any, *, limit: int = 200, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise InvalidInput({field: "must not be empty"})
    if len(text) > limit:
        raise InvalidInput({field: f"at most {limit} characters"})
    return text


def _object(field: str, value: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput({field: "an object is expected"})
    return value


def _unknown(field: str, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise InvalidInput({f"{field}.{extra[0]}": "unknown setting"})


def parse_trigger(value: Any) -> dict[str, Any]:
    data = _object("trigger", value)
    kind = data.get("kind")
    if kind not in TRIGGERS:
        raise InvalidInput({"trigger.kind": f"one of {', '.join(TRIGGERS)}"})
    if kind == "p_alive_below":
        _unknown("trigger", data, ("kind", "threshold"))
        return {"kind": kind, "threshold": _number("trigger.threshold", data.get("threshold"), low=0, high=1)}
    if kind == "no_order_days":
        _unknown("trigger", data, ("kind", "days"))
        return {"kind": kind, "days": _number("trigger.days", data.get("days"), low=1, high=3650, whole=True)}
    if kind in _TO_CHOICES:
        _unknown("trigger", data, ("kind", "to"))
        to = data.get("to") or ""
        if to and to not in _TO_CHOICES[kind]:
            raise InvalidInput({"trigger.to": f"one of {', '.join(_TO_CHOICES[kind])}"})
        return {"kind": kind, "to": to}
    _unknown("trigger", data, ("kind",))
    return {"kind": kind}


def parse_conditions(value: Any) -> dict[str, Any]:
    data = _object("conditions", value)
    _unknown("conditions", data, (*SEGMENT_FILTERS, "owners", "countries", "consent"))
    segment = parse_definition({k: v for k, v in data.items() if k in SEGMENT_FILTERS}).as_json()
    owners = data.get("owners") or []
    countries = data.get("countries") or []
    if not isinstance(owners, list) or not all(isinstance(o, str) and o.strip() for o in owners):
        raise InvalidInput({"conditions.owners": "a list of user names"})
    if not isinstance(countries, list) or not all(isinstance(c, str) and len(c.strip()) == 2 for c in countries):
        raise InvalidInput({"conditions.countries": "a list of two-letter country codes"})
    consent = data.get("consent") or ""
    if consent and consent not in CONSENT_CHANNELS:
        raise InvalidInput({"conditions.consent": f"one of {', '.join(CONSENT_CHANNELS)}"})
    return segment | {
        "owners": sorted({o.strip() for o in owners}),
        "countries": sorted({c.strip().upper() for c in countries}),
        "consent": consent,
    }


def _reference(field: str, value: Any) -> int:
    return int(_number(field, value, low=1, high=2**62, whole=True))


def parse_action(index: int, value: Any) -> dict[str, Any]:
    where = f"actions[{index}]"
    data = _object(where, value)
    kind = data.get("kind")
    if kind not in ACTION_KINDS:
        raise InvalidInput({f"{where}.kind": f"one of {', '.join(ACTION_KINDS)}"})
    if kind == "task":
        _unknown(where, data, ("kind", "title", "due_days"))
        return {"kind": kind, "title": _text(f"{where}.title", data.get("title")),
                "due_days": _number(f"{where}.due_days", data.get("due_days", 3), low=0, high=365, whole=True)}
    if kind == "case":
        _unknown(where, data, ("kind", "subject", "priority"))
        priority = data.get("priority") or "normal"
        if priority not in PRIORITIES:
            raise InvalidInput({f"{where}.priority": f"one of {', '.join(PRIORITIES)}"})
        return {"kind": kind, "subject": _text(f"{where}.subject", data.get("subject")), "priority": priority}
    if kind in ("campaign", "message"):
        _unknown(where, data, ("kind", "campaign"))
        return {"kind": kind, "campaign": _reference(f"{where}.campaign", data.get("campaign"))}
    if kind == "points":
        _unknown(where, data, ("kind", "programme", "points"))
        return {"kind": kind, "programme": _reference(f"{where}.programme", data.get("programme")),
                "points": _number(f"{where}.points", data.get("points"), low=1, high=1_000_000, whole=True)}
    if kind == "tag":
        _unknown(where, data, ("kind", "tag"))
        return {"kind": kind, "tag": _text(f"{where}.tag", data.get("tag"), limit=40)}
    _unknown(where, data, ("kind",))
    return {"kind": kind}


def _clock(field: str, value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if text and not _CLOCK.match(text):
        raise InvalidInput({field: "a time HH:MM is expected"})
    return text


def parse_limits(value: Any) -> dict[str, Any]:
    data = _object("limits", value)
    _unknown("limits", data, ("once_per_days", "quiet_start", "quiet_end", "daily_cap"))
    once = data.get("once_per_days")
    cap = data.get("daily_cap")
    limits = {
        "once_per_days": None if once in (None, "") else _number("limits.once_per_days", once, low=1, high=3650,
                                                                   whole=True),
        "quiet_start": _clock("limits.quiet_start", data.get("quiet_start")),
        "quiet_end": _clock("limits.quiet_end", data.get("quiet_end")),
        "daily_cap": None if cap in (None, "") else _number("limits.daily_cap", cap, low=1, high=10_000_000,
                                                              whole=True),
    }
    if bool(limits["quiet_start"]) != bool(limits["quiet_end"]):
        raise InvalidInput({"limits.quiet_end": "quiet hours need a start and an end"})
    return limits


def parse(data: Any) -> dict[str, Any]:
    """The checked, normalised definition of ``data`` (a playbook's JSON without its name)."""
    if not isinstance(data, Mapping):
        raise InvalidInput({"definition": "an object is expected"})
    _unknown("definition", data, ("trigger", "conditions", "actions", "limits", "control_share"))
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise InvalidInput({"actions": "at least one action is expected"})
    if len(actions) > 10:
        raise InvalidInput({"actions": "at most 10 actions"})
    share = data.get("control_share")
    return {
        "trigger": parse_trigger(data.get("trigger")),
        "conditions": parse_conditions(data.get("conditions")),
        "actions": [parse_action(i, a) for i, a in enumerate(actions)],
        "limits": parse_limits(data.get("limits")),
        "control_share": DEFAULT_CONTROL_SHARE if share in (None, "")
        else _number("control_share", share, low=0, high=0.9),
    }


def is_score_trigger(definition: Mapping[str, Any]) -> bool:
    return definition.get("trigger", {}).get("kind") in SCORE_TRIGGERS
