"""A party's tags: free labels, stored as a list of distinct texts."""

from __future__ import annotations

from typing import Any

from clientela.crm.errors import InvalidInput

MAX_TAGS, MAX_TAG_LENGTH = 20, 40


def clean_tags(tags: Any) -> list[str]:
    """Tags as stored: a list of distinct non-empty texts in the order given; a text is
    read as comma-separated tags."""
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput({"tags": "a list of texts"})
    out: list[str] = []
    for tag in (t.strip() for t in tags):
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput({"tags": f"a tag has at most {MAX_TAG_LENGTH} characters"})
        if tag and tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise InvalidInput({"tags": f"at most {MAX_TAGS} tags"})
    return out
