"""Themes of survey comments and the answers that have them."""

from __future__ import annotations

from django.db import models


class Theme(models.Model):
    """A theme of one language's comments. Found by ``actions.refresh_themes``; a person
    may rename it (``renamed``: the name stays through later refreshes), pin it (kept
    even when a refresh no longer finds it) or merge it into another (``merged_into``:
    its answers count for that one)."""

    language = models.CharField(max_length=8)
    name = models.CharField(max_length=120)
    terms = models.JSONField(default=list)
    renamed = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged")
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["language", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class AnswerTheme(models.Model):
    response = models.ForeignKey("feedback.SurveyResponse", on_delete=models.CASCADE, related_name="themes")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="answers")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "theme"], name="answer_theme_once")]
        indexes = [models.Index(fields=["theme", "response"])]
