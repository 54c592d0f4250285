"""Fetch notifications for a user, or refuse: a notification is seen by its addressee only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.errors import RecordNotFound
from clientela.crm.notifications.models import Notification


def notifications_of(user: Any) -> QuerySet[Notification]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def access_notification_by_id(user: Any, notification_id: int) -> Notification:
    notification = notifications_of(user).filter(pk=notification_id).first()
    if notification is None:
        raise RecordNotFound(f"notification {notification_id}")
    return notification
