"""Reading the company profile."""

from __future__ import annotations

from clientela.crm.branding.models import CompanyProfile

PROFILE_ID = 1


def current() -> CompanyProfile:
    """The stored profile, or an unsaved one with the defaults (no name, default colour,
    no logo) when nobody has set it."""
    return CompanyProfile.objects.defer("logo").filter(pk=PROFILE_ID).first() or CompanyProfile(pk=PROFILE_ID)


def logo() -> tuple[bytes, str, str] | None:
    """The logo's bytes, media type and SHA-256, or None when there is none."""
    row = CompanyProfile.objects.filter(pk=PROFILE_ID).values_list("logo", "logo_type", "logo_sha256").first()
    if row is None or not row[0]:
        return None
    return bytes(row[0]), row[1], row[2]
