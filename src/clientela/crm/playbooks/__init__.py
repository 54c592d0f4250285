"""Playbooks: a trigger, conditions, actions and limits that act on value signals."""
