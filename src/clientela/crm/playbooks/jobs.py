"""The playbooks' work in the worker: the job a scoring run queues and the schedule."""

from clientela.crm.playbooks.engine import after_scoring, check_events

__all__ = ["after_scoring", "check_events"]
