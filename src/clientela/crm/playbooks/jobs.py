"""The playbooks' work in the worker: the job a scoring run queues, the job an event
queues (``playbooks.on_event``) and the schedule."""

from clientela.crm.playbooks.engine import after_scoring, check_events, on_event

__all__ = ["after_scoring", "check_events", "on_event"]
