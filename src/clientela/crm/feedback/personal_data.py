"""GDPR: a party's survey answers and invitations (export); comments blanked (erase)."""

from __future__ import annotations

from typing import Any

from clientela.crm.feedback.models import SurveyInvitation, SurveyResponse


def export(party: Any) -> list[dict[str, Any]]:
    answers = [
        {"survey": r.survey.name, "score": r.score, "comment": r.comment, "answered_at": r.answered_at.isoformat()}
        for r in SurveyResponse.objects.filter(party=party).select_related("survey")
    ]
    invitations = [
        {"survey": i.survey.name, "send_status": i.send_status,
         "sent_at": i.sent_at and i.sent_at.isoformat(), "answered_at": i.answered_at and i.answered_at.isoformat()}
        for i in SurveyInvitation.objects.filter(party=party).select_related("survey")
    ]
    return [{"responses": answers, "invitations": invitations}]


def erase(party: Any, actor: Any) -> int:
    """Blank the verbatim comments; scores stay (anonymous) so NPS and CSAT do not move."""
    return SurveyResponse.objects.filter(party=party).update(comment="")
