"""The one write to the company profile (``save_profile``), audited (entity ``company_profile``; the logo is
recorded by its SHA-256, never its bytes)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clientela.crm.audit.actions import diff, record_change
from clientela.crm.branding.logo import BrandingError, logo_type
from clientela.crm.branding.models import CompanyProfile, colour_validator
from clientela.crm.branding.queries import PROFILE_ID


def _audited(profile: CompanyProfile) -> dict[str, Any]:
    return {"name": profile.name, "colour": profile.colour, "logo_sha256": profile.logo_sha256}


@transaction.atomic
def save_profile(
    actor: Any, *, name: str, colour: str, logo: bytes | None = None, remove_logo: bool = False
) -> CompanyProfile:
    """Set the company's name and colour; with ``logo`` replace the logo, with
    ``remove_logo`` drop it (a new logo wins over removal)."""
    colour = (colour or "").strip()
    try:
        colour_validator(colour)
    except ValidationError:
        raise BrandingError("colour", "give the colour as #RRGGBB, for example #1f4e79") from None
    name = (name or "").strip()
    if len(name) > 200:
        raise BrandingError("name", "at most 200 characters")
    media_type = logo_type(logo) if logo else ""
    profile, _ = CompanyProfile.objects.select_for_update().get_or_create(pk=PROFILE_ID)
    before = _audited(profile)
    profile.name, profile.colour = name, colour.lower()
    if logo:
        profile.logo, profile.logo_type = logo, media_type
        profile.logo_sha256 = hashlib.sha256(logo).hexdigest()
    elif remove_logo:
        profile.logo, profile.logo_type, profile.logo_sha256 = b"", "", ""
    profile.save()
    changed = diff(before, _audited(profile))
    if changed:
        record_change(actor, entity="company_profile", object_id=profile.pk, action="update", changes=changed)
    return profile

__all__ = ["BrandingError", "save_profile"]
