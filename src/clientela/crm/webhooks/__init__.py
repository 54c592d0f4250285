"""Outbound webhooks: subscriptions per event type, signed deliveries through the job
queue with retries, a delivery log with replay.

Other apps announce what happened with ``clientela.crm.webhooks.events.emit`` (inside
their action's transaction: a rolled-back action sends nothing). ``events.EVENT_TYPES`` is
the registry of event types; ``signing`` holds the signature scheme receivers verify;
``delivery`` is the job that posts one delivery (docs/webhooks.md).
"""
