"""Clientela: an open-source CRM that manages customers as capital."""

__version__ = "0.1.0"
