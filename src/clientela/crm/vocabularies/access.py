"""Who may read and change the vocabularies: everyone signed in reads them (they fill the
forms), only roles allowed to update ``vocabulary`` (the admin) change them."""

from __future__ import annotations

from typing import Any

from clientela.crm.accounts.permissions import can
from clientela.crm.errors import NotPermitted


def check_vocabulary_update(user: Any) -> None:
    if not can(user, "vocabulary", "update"):
        raise NotPermitted("you may not change the vocabularies")
