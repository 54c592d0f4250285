"""The webhooks page (/webhooks/): subscriptions (add, change, remove, a new secret, send
a test event) and the delivery log with each attempt and a replay. Administrators only
(the ``webhooks`` capability); every write goes through ``crm.webhooks.actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.crm import labels
from clientela.crm.errors import InvalidInput, NotPermitted, RecordNotFound
from clientela.crm.webhooks import actions, queries
from clientela.crm.webhooks.access import (
    access_delivery_by_id,
    access_subscription_by_id,
    require_webhooks,
)
from clientela.crm.webhooks.events import ALL_EVENTS, EVENT_TYPES
from clientela.crm.webhooks.models import DeliveryStatus, Subscription
from clientela.web.layout import render_page
from clientela.web.paging import one_page, page_number


def _event_choices() -> list[tuple[str, Any]]:
    return [(ALL_EVENTS, _("Every event")), *EVENT_TYPES.items()]


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200,
                           error_messages={"required": _("Give the subscription a name.")})
    url = forms.CharField(label=_("Receiver URL"), max_length=2000,
                          help_text=_("http:// or https://; the address of your n8n, Make or Zapier webhook."),
                          error_messages={"required": _("Give the address that receives the events.")})
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=_event_choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")})
    active = forms.BooleanField(label=_("Active (events are sent)"), required=False, initial=True)

    def __init__(self, *args: Any, prefix_id: str = "webhook", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"{prefix_id}-{name}")


def _form_for(subscription: Subscription) -> SubscriptionForm:
    return SubscriptionForm(initial={"name": subscription.name, "url": subscription.url,
                                     "event_types": subscription.event_types, "active": subscription.active},
                            prefix_id=f"webhook-{subscription.pk}")


def _save(form: SubscriptionForm, write: Any) -> Any:
    """Call ``write(**cleaned)``; an action's refusal becomes the form's field error."""
    try:
        return write(**form.cleaned_data)
    except InvalidInput as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return None


def _subscription_or_404(request: HttpRequest, subscription_id: int) -> Subscription:
    try:
        return access_subscription_by_id(request.user, subscription_id)
    except RecordNotFound:
        raise Http404("no such subscription") from None
    except NotPermitted:
        raise PermissionDenied from None


def _page(request: HttpRequest, *, form: SubscriptionForm | None = None, status: int = 200,
          new_secret: str = "", notice: str = "") -> HttpResponse:
    status_filter = request.GET.get("status", "")
    if status_filter not in DeliveryStatus.values:
        status_filter = ""
    page = page_number(request.GET)
    log = queries.deliveries(status=status_filter)
    rows, has_next = one_page(log, page)
    return render_page(request, "web/webhooks/page.html", {
        "subscriptions": list(queries.subscriptions()), "form": form or SubscriptionForm(),
        "deliveries": rows, "page": page, "has_next": has_next, "status": status_filter,
        "statuses": labels.WEBHOOK_STATUS, "event_labels": dict(_event_choices()),
        "new_secret": new_secret, "notice": notice,
        "active_log": any(d.status in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING) for d in rows),
    }, section="webhooks", status=status)


def _require(request: HttpRequest) -> None:
    try:
        require_webhooks(request.user)
    except NotPermitted:
        raise PermissionDenied from None


@login_required
@require_http_methods(["GET", "POST"])
def webhook_page(request: HttpRequest) -> HttpResponse:
    """The page; a POST adds a subscription and shows its secret once."""
    _require(request)
    if request.method == "GET":
        return _page(request)
    form = SubscriptionForm(request.POST)
    created = form.is_valid() and _save(form, lambda **data: actions.create_subscription(request.user, **data))
    if not created:
        return _page(request, form=form, status=422)
    return _page(request, new_secret=created.secret, status=201,
                 notice=str(_("Subscription “%(name)s” added.") % {"name": created.name}))


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _subscription_or_404(request, subscription_id)
    form = _form_for(subscription)
    status, saved = 200, False
    if request.method == "POST":
        form = SubscriptionForm(request.POST, prefix_id=f"webhook-{subscription.pk}")
        if form.is_valid() and _save(form, lambda **data: actions.update_subscription(
                request.user, subscription, data)):
            saved, form = True, _form_for(subscription)
        else:
            status = 422
    deliveries, _more = one_page(queries.deliveries(subscription_id=subscription.pk), 1, 20)
    return render_page(request, "web/webhooks/edit.html", {
        "subscription": subscription, "form": form, "saved": saved, "deliveries": deliveries,
    }, section="webhooks", status=status)


def _back(request: HttpRequest, message: Any, *, error: bool = False) -> HttpResponse:
    (messages.error if error else messages.success)(request, message)
    return HttpResponseRedirect(reverse("web:webhooks"))


@login_required
@require_POST
def subscription_action(request: HttpRequest, subscription_id: int, change: str) -> HttpResponse:
    """``test`` (queue a test event), ``secret`` (a new secret, shown once) or ``delete``."""
    subscription = _subscription_or_404(request, subscription_id)
    try:
        if change == "test":
            actions.send_test_event(request.user, subscription)
            return _back(request, _("A test event to “%(name)s” is queued; its delivery is in the log below.")
                         % {"name": subscription.name})
        if change == "secret":
            secret = actions.rotate_secret(request.user, subscription)
            return _page(request, new_secret=secret,
                         notice=str(_("“%(name)s” has a new secret.") % {"name": subscription.name}))
        if change == "delete":
            name = subscription.name
            actions.delete_subscription(request.user, subscription)
            return _back(request, _("Subscription “%(name)s” removed.") % {"name": name})
    except InvalidInput as exc:
        return _back(request, "; ".join(exc.errors.values()), error=True)
    raise Http404("no such change")


@login_required
@require_POST
def delivery_replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        delivery = access_delivery_by_id(request.user, delivery_id)
    except RecordNotFound:
        raise Http404("no such delivery") from None
    except NotPermitted:
        raise PermissionDenied from None
    try:
        replay = actions.replay_delivery(request.user, delivery)
    except InvalidInput as exc:
        return _back(request, "; ".join(exc.errors.values()), error=True)
    return _back(request, _("Delivery %(id)s is queued again as delivery %(new)s.")
                 % {"id": delivery.pk, "new": replay.pk})


__all__ = ["delivery_replay", "subscription_action", "subscription_edit", "webhook_page"]
