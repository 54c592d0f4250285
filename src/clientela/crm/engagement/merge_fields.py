"""Merge fields of campaign messages: ``{{ first_name }}`` replaced by the recipient's.

A message is plain text with placeholders, never a template: the fields are a fixed
list (``FIELDS``), substituted in one pass by a regular expression, so a message costs
time linear in its length, runs no code and reads no attribute (``{{ name.__class__ }}``
and ``{% load x %}`` are text a check refuses at saving, not instructions). A value is
never scanned again: a customer named ``{{ name }}`` stays so.

``message_problems`` is the check the campaign runs when it is saved (``Campaign.clean``,
hence the actions, the admin and the web form): unknown fields and template tags in the
body are named, and a subject holding a line break (a header injection in an email;
Django refuses to send it) is refused. A subject is sent as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# The recipient's fields a message may name. ``name`` is the party's name; ``first_name``
# and ``last_name`` its first and last words (a person's given name and surname).
FIELDS = ("name", "first_name", "last_name")

# ``{{ anything }}``: what is between the braces is checked against FIELDS.
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_TAG = re.compile(r"\{%.*?%\}", re.DOTALL)
_LINE_BREAK = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")

SUBJECT_LINE_BREAK = _("A subject is one line: remove the line break.")
TAGS_NOT_ALLOWED = _("Template tags such as {tag} are not allowed; use the fields {fields}.")


def recipient_values(name: str) -> dict[str, str]:
    """The value of every field in ``FIELDS`` for a recipient called ``name``."""
    words = name.split()
    return {
        "name": name,
        "first_name": words[0] if words else "",
        "last_name": words[-1] if len(words) > 1 else "",
    }


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{{ field }}`` replaced by its value in ``values`` (a field
    not in ``values`` by nothing); other text is left as it is."""

    def value(match: re.Match[str]) -> str:
        return values.get(match.group(1).strip(), "")

    return _PLACEHOLDER.sub(value, text)


def unknown_fields(text: str, allowed: tuple[str, ...] = FIELDS) -> list[str]:
    """The placeholders of ``text`` that name no field of ``allowed``, in order, once."""
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if name not in allowed and name not in found:
            found.append(name)
    return found


def _fields_list(allowed: tuple[str, ...]) -> str:
    return ", ".join("{{ %s }}" % f for f in allowed)  # noqa: UP031 - braces are the text


def body_problem(text: str, allowed: tuple[str, ...] = FIELDS) -> str | None:
    """Why ``text`` cannot be a message body (unknown fields, tags), or ``None``."""
    tag = _TAG.search(text)
    if tag is not None:
        return str(TAGS_NOT_ALLOWED).format(tag=tag.group(0)[:40], fields=_fields_list(allowed))
    unknown = unknown_fields(text, allowed)
    if unknown:
        shown = ", ".join("{{ %s }}" % u[:40] for u in unknown[:5])  # noqa: UP031
        message = str(ngettext(
            "Unknown field {unknown}; the fields are {fields}.",
            "Unknown fields {unknown}; the fields are {fields}.",
            len(unknown),
        ))
        return message.format(unknown=shown, fields=_fields_list(allowed))
    return None


def subject_problem(text: str) -> str | None:
    """Why ``text`` cannot be a subject (a line break), or ``None``. A subject is sent
    as written: it has no merge fields."""
    if _LINE_BREAK.search(text):
        return str(SUBJECT_LINE_BREAK)
    return None


def message_problems(*, subject: str, body: str) -> dict[str, str]:
    """The problems of a campaign's message, by field (empty when it can be sent)."""
    problems = {"message_subject": subject_problem(subject), "message_body": body_problem(body)}
    return {name: problem for name, problem in problems.items() if problem is not None}
