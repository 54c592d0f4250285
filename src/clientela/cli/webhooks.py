"""``clientela webhook …``: subscriptions (list, add, remove, a test event), the event
types, the delivery log and replay — the webhooks page's writes, through the same
actions (``crm.webhooks.actions``), as the system. The worker sends the deliveries."""

from __future__ import annotations

from typing import Any

import click

from clientela.cli.django_setup import setup_django


def _refused(exc: Any) -> click.ClickException:
    return click.ClickException("; ".join(f"{field}: {message}" for field, message in exc.errors.items()))


def _subscription(subscription_id: int) -> Any:
    from clientela.crm.webhooks.models import Subscription

    found = Subscription.objects.filter(pk=subscription_id).first()
    if found is None:
        raise click.ClickException(f"SUBSCRIPTION_ID: no webhook subscription {subscription_id}")
    return found


@click.group()
def webhook() -> None:
    """Outbound webhooks: subscriptions, the delivery log, replay."""


@webhook.command("list")
def list_subscriptions() -> None:
    """Subscriptions with their events and delivered / failed counts (no secrets)."""
    setup_django()
    from clientela.crm.webhooks.queries import subscriptions

    click.echo(f"{'id':>5}  {'active':6}  {'delivered':>9}  {'failed':>6}  {'name':20}  {'url':40}  events")
    for s in subscriptions():
        click.echo(f"{s.pk:>5}  {'yes' if s.active else 'no':6}  {s.delivered:>9}  {s.failed:>6}  "
                   f"{s.name[:20]:20}  {s.url[:40]:40}  {','.join(s.event_types)}")


@webhook.command("events")
def list_events() -> None:
    """The event types a subscription may listen to."""
    setup_django()
    from clientela.crm.webhooks.events import EVENT_TYPES

    for code, text in EVENT_TYPES.items():
        click.echo(f"{code:22}  {text}")


@webhook.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--event", "-e", "events", multiple=True, required=True,
              help="An event type to send (repeat it; '*' for every event; `clientela webhook events`).")
@click.option("--secret", default="", envvar="CLIENTELA_WEBHOOK_SECRET", show_envvar=True,
              help="The signing secret (16–200 characters; default: a new random one, printed once).")
@click.option("--inactive", is_flag=True, help="Add it switched off.")
def add(name: str, url: str, events: tuple[str, ...], secret: str, inactive: bool) -> None:
    """Add a subscription NAME posting the chosen events to URL; prints its secret once."""
    setup_django()
    from clientela.crm.errors import InvalidInput
    from clientela.crm.webhooks import actions

    try:
        s = actions.create_subscription(None, name=name, url=url, event_types=events, secret=secret,
                                        active=not inactive)
    except InvalidInput as exc:
        raise _refused(exc) from None
    click.echo(f"Subscription {s.pk} ({s.name}) added for {', '.join(s.event_types)}.")
    click.echo(f"Signing secret (shown once): {s.secret}")


@webhook.command("remove")
@click.argument("subscription_id", type=click.IntRange(min=1))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove(subscription_id: int, yes: bool) -> None:
    """Remove subscription SUBSCRIPTION_ID and its delivery log."""
    setup_django()
    from clientela.crm.webhooks import actions

    found = _subscription(subscription_id)
    if not yes:
        click.confirm(f"Remove webhook subscription {found.name!r} and its delivery log?", abort=True)
    actions.delete_subscription(None, found)
    click.echo(f"Subscription {subscription_id} removed.")


@webhook.command("test")
@click.argument("subscription_id", type=click.IntRange(min=1))
def send_test(subscription_id: int) -> None:
    """Queue a webhook.test event to subscription SUBSCRIPTION_ID."""
    setup_django()
    from clientela.crm.errors import InvalidInput
    from clientela.crm.webhooks import actions

    try:
        delivery = actions.send_test_event(None, _subscription(subscription_id))
    except InvalidInput as exc:
        raise _refused(exc) from None
    click.echo(f"Test event queued as delivery {delivery.pk} (job {delivery.job_id}); `clientela worker` sends it.")


@webhook.command("deliveries")
@click.option("--subscription", "subscription_id", type=click.IntRange(min=1), help="Only this subscription's.")
@click.option("--status", type=click.Choice(["pending", "retrying", "succeeded", "failed"]))
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def deliveries(subscription_id: int | None, status: str | None, limit: int) -> None:
    """The delivery log, newest first: status, attempts, response code, duration."""
    setup_django()
    from clientela.crm.webhooks.queries import deliveries as log

    click.echo(f"{'id':>6}  {'subscr':>6}  {'status':9}  {'tries':>5}  {'code':>4}  {'ms':>6}  "
               f"{'event type':20}  event id")
    for d in log(subscription_id=subscription_id, status=status or "")[:limit]:
        code = str(d.response_code) if d.response_code else (d.last_error[:4] or "-")
        ms = str(d.duration_ms) if d.duration_ms is not None else "-"
        click.echo(f"{d.pk:>6}  {d.subscription_id:>6}  {d.status:9}  {d.attempts:>5}  {code:>4}  {ms:>6}  "
                   f"{d.event.type:20}  {d.event.uid}")


@webhook.command("replay")
@click.argument("delivery_id", type=click.IntRange(min=1))
def replay(delivery_id: int) -> None:
    """Send delivery DELIVERY_ID's event again (a new delivery, the same event id)."""
    setup_django()
    from clientela.crm.errors import InvalidInput
    from clientela.crm.webhooks import actions
    from clientela.crm.webhooks.models import Delivery

    found = Delivery.objects.select_related("event", "subscription").filter(pk=delivery_id).first()
    if found is None:
        raise click.ClickException(f"DELIVERY_ID: no webhook delivery {delivery_id}")
    try:
        again = actions.replay_delivery(None, found)
    except InvalidInput as exc:
        raise _refused(exc) from None
    click.echo(f"Delivery {delivery_id} queued again as delivery {again.pk} (job {again.job_id}).")
