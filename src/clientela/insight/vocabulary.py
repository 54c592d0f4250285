"""The insight engines' vocabularies: loyalty-ladder stages, next best actions, RFM segments.

Kept apart from the engines (which need pandas, NumPy and SciPy) so that code which only
names a stage, an action or a segment -- a web form's choices, a segment rule's check --
imports no numerical library.  The engines import these tuples from here.
"""

from __future__ import annotations

STAGES: tuple[str, ...] = ("prospect", "customer", "client", "supporter", "advocate", "partner")

ACTIONS: tuple[str, ...] = (
    "acquire",
    "retain",
    "develop",
    "win_back",
    "nurture",
    "managed_exit",
    "none",
)

SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential loyalists",
    "new",
    "promising",
    "need attention",
    "about to sleep",
    "at risk",
    "cannot lose",
    "hibernating",
    "lost",
)
