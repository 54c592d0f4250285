"""The global holdout: a share of all customers that no campaign or playbook ever touches.

Off by default. When on, each party is in it or not by a draw that is a pure function of
the holdout's seed and the party's id (BLAKE2b of both, read as a number in [0, 1) and
compared with the share), so the same parties stay held out as customers arrive, and the
draw can be replayed. Members are recorded (``HoldoutMember``) when the holdout is turned
on and whenever a campaign or playbook meets a party first drawn later. Writes are the
actions ``configure_holdout`` (``experiments.actions``) and ``held_out_among`` (recording).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from clientela.crm.experiments.models import Holdout, HoldoutMember

HOLDOUT_PK = 1


def settings_row() -> Holdout:
    """The holdout's settings (the default, off, when never configured)."""
    return Holdout.objects.filter(pk=HOLDOUT_PK).first() or Holdout(pk=HOLDOUT_PK)


def drawn(seed: int, party_id: int, share: Decimal | float) -> bool:
    """True when the party falls in a holdout of ``share`` under ``seed``."""
    digest = hashlib.blake2b(f"{seed}:{party_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < float(share)


def held_out_among(party_ids: Iterable[int]) -> set[int]:
    """The parties among ``party_ids`` in the global holdout now (none while it is off);
    those drawn but not recorded yet are recorded."""
    config = settings_row()
    ids = sorted({int(pid) for pid in party_ids})
    if not config.enabled or not ids or config.share <= 0:
        return set()
    members = {pid for pid in ids if drawn(config.seed, pid, config.share)}
    if members:
        known: set[int] = set()
        ordered = sorted(members)
        for start in range(0, len(ordered), 2000):
            known.update(HoldoutMember.objects.filter(
                party_id__in=ordered[start:start + 2000], seed=config.seed).values_list("party_id", flat=True))
        missing = members - known
        if missing:
            now = timezone.now()
            HoldoutMember.objects.filter(party_id__in=missing).delete()  # drawn under an older seed
            HoldoutMember.objects.bulk_create(
                [HoldoutMember(party_id=pid, seed=config.seed, since=now) for pid in sorted(missing)],
                batch_size=2000,
            )
    return members


def held_out_party_ids() -> QuerySet[HoldoutMember]:
    """The recorded members of the holdout as it is now (empty while it is off), as a
    subquery of party ids for ``exclude(party_id__in=...)``."""
    config = settings_row()
    if not config.enabled or config.share <= 0:
        return HoldoutMember.objects.none().values("party_id")
    return HoldoutMember.objects.filter(seed=config.seed).values("party_id")
