"""The kinds of job the worker runs: a key and the dotted path of its handler.

A handler is ``handler(job: JobContext, **params) -> dict`` (JSON-able result). It must be
idempotent: a job is run again after a failure or when the worker running it died, so a
second run must find the work already done and not do it twice (a campaign send claims
each member; an erasure of an erased party changes nothing; a scoring run makes a new run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

KINDS: dict[str, str] = {
    "campaign.send": "clientela.crm.engagement.jobs.send_campaign_job",
    "scoring.run": "clientela.crm.scoring.jobs.scoring_job",
    "privacy.erase": "clientela.crm.privacy.jobs.erase_job",
    "survey.invite": "clientela.crm.feedback.invitations.invite_job",
    "export.csv": "clientela.crm.exports.jobs.export_job",
    "imports.run": "clientela.crm.imports.jobs.run_import_job",
    "voice.refresh": "clientela.crm.voice.jobs.refresh_job",
    "playbooks.after_scoring": "clientela.crm.playbooks.jobs.after_scoring",
    "playbooks.on_event": "clientela.crm.playbooks.jobs.on_event",
    "webhook.deliver": "clientela.crm.webhooks.delivery.deliver_job",
    "schedule": "clientela.crm.jobs.schedules.run_schedule",
}


def handler(kind: str) -> Callable[..., Any]:
    """The handler of ``kind``; ``KeyError`` for an unknown kind."""
    return import_string(KINDS[kind])  # type: ignore[no-any-return]
