"""The playbook builder's form: its fields read into the definition's JSON (checked by
``crm.playbooks.definition``), and a definition shown back in the fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

from clientela.crm.playbooks.definition import DEFAULT_CONTROL_SHARE

ACTION_FIELDS = {
    "task": ("task_title", "task_due_days"),
    "case": ("case_subject", "case_priority"),
    "campaign": ("campaign_campaign",),
    "message": ("message_campaign",),
    "points": ("points_programme", "points_points"),
    "tag": ("tag_tag",),
    "webhook": (),
}


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _number_or_text(value: str) -> Any:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value  # the definition's check names the field


def read(params: QueryDict) -> dict[str, Any]:
    """The definition the form describes (unchecked)."""
    kind = params.get("trigger_kind", "")
    trigger: dict[str, Any] = {"kind": kind}
    if kind == "p_alive_below":
        trigger["threshold"] = _number_or_text(params.get("trigger_threshold", ""))
    elif kind == "no_order_days":
        trigger["days"] = _number_or_text(params.get("trigger_days", ""))
    elif kind in ("tier_changed", "stage_changed", "nba_changed"):
        trigger["to"] = params.get(f"trigger_to_{kind}", "")
    actions = []
    for action in ACTION_FIELDS:
        if params.get(f"action_{action}"):
            entry: dict[str, Any] = {"kind": action}
            for name in ACTION_FIELDS[action]:
                setting = name.split("_", 1)[1]
                value = params.get(name, "")
                entry[setting] = value if setting in ("title", "subject", "priority", "tag") \
                    else _number_or_text(value)
            actions.append(entry)
    share = _number_or_text(params.get("control_percent", ""))
    return {
        "trigger": trigger,
        "conditions": {
            "rfm_segments": params.getlist("rfm"), "ladder_stages": params.getlist("stage"),
            "actions": params.getlist("nba"), "value_tiers": params.getlist("tier"),
            "p_alive_min": params.get("p_alive_min", "") or None, "p_alive_max": params.get("p_alive_max", "") or None,
            "owners": _list(params.get("owners", "")), "countries": _list(params.get("countries", "")),
            "consent": params.get("consent", ""),
        },
        "actions": actions,
        "limits": {
            "once_per_days": _number_or_text(params.get("once_per_days", "")),
            "daily_cap": _number_or_text(params.get("daily_cap", "")),
            "quiet_start": params.get("quiet_start", ""), "quiet_end": params.get("quiet_end", ""),
        },
        "control_share": share / 100 if isinstance(share, int | float) else share,
    }


def values(definition: Mapping[str, Any] | None) -> dict[str, Any]:
    """The form's field values for a stored definition (the defaults for a new playbook)."""
    if not definition:
        return {"trigger_kind": "p_alive_below", "trigger_threshold": "0.4", "control_percent": "10",
                "task_due_days": "3", "case_priority": "normal", "rfm": [], "stage": [], "nba": [], "tier": [],
                "actions": []}
    trigger, conditions, limits = definition["trigger"], definition["conditions"], definition["limits"]
    out: dict[str, Any] = {
        "trigger_kind": trigger["kind"], "trigger_threshold": trigger.get("threshold", ""),
        "trigger_days": trigger.get("days", ""), f"trigger_to_{trigger['kind']}": trigger.get("to", ""),
        "rfm": conditions.get("rfm_segments", []), "stage": conditions.get("ladder_stages", []),
        "nba": conditions.get("actions", []), "tier": conditions.get("value_tiers", []),
        "p_alive_min": conditions.get("p_alive_min") or "", "p_alive_max": conditions.get("p_alive_max") or "",
        "owners": ", ".join(conditions.get("owners", [])), "countries": ", ".join(conditions.get("countries", [])),
        "consent": conditions.get("consent", ""),
        "once_per_days": limits.get("once_per_days") or "", "daily_cap": limits.get("daily_cap") or "",
        "quiet_start": limits.get("quiet_start", ""), "quiet_end": limits.get("quiet_end", ""),
        "control_percent": round(float(definition.get("control_share", DEFAULT_CONTROL_SHARE)) * 100, 1),
        "actions": [a["kind"] for a in definition["actions"]],
        "task_due_days": "3", "case_priority": "normal",
    }
    for action in definition["actions"]:
        for name in ACTION_FIELDS[action["kind"]]:
            out[name] = action.get(name.split("_", 1)[1], "")
    return out


def form_values(params: QueryDict) -> dict[str, Any]:
    """The submitted form's values, to show them again with the errors."""
    out: dict[str, Any] = {key: params.get(key, "") for key in params}
    for key in ("rfm", "stage", "nba", "tier"):
        out[key] = params.getlist(key)
    out["actions"] = [a for a in ACTION_FIELDS if params.get(f"action_{a}")]
    return out
