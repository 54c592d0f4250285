"""What a company logo may be: a small raster image, known by its first bytes."""

from __future__ import annotations

MAX_LOGO_BYTES = 256 * 1024
# Raster formats only, known by their first bytes. SVG is refused: opened on its own it
# can run script in the site's origin.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class BrandingError(ValueError):
    """The profile could not be saved; ``field`` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def logo_type(data: bytes) -> str:
    """The media type of an uploaded logo, or BrandingError."""
    if len(data) > MAX_LOGO_BYTES:
        raise BrandingError("logo", f"the file has {len(data):,} bytes; at most {MAX_LOGO_BYTES:,} are taken")
    for magic, media_type in SIGNATURES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise BrandingError("logo", "give a PNG, JPEG, GIF or WebP image")
