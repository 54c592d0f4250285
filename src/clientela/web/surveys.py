"""Survey pages: the list with each survey's figures, a new survey, and a survey's page
(its question, results, score distribution, latest comments; edit and deactivate for
those who may change surveys). Writes go through ``feedback.actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from clientela.crm.accounts.permissions import can, has_capability
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.feedback import actions as feedback
from clientela.crm.feedback.access import access_survey_by_id, may_view_responses, visible_surveys
from clientela.crm.feedback.models import Survey
from clientela.crm.feedback.results import (
    choice_distribution,
    distribution,
    latest_comments,
    survey_rows,
)
from clientela.web.layout import render_page
from clientela.web.report_tables import Table
from clientela.web.survey_invitations import invite_card
from clientela.web.templatetags.web_format import num, pct

KINDS = {"nps": _("Net Promoter Score (0–10)"), "csat": _("Customer satisfaction (1–5)")}
# What the actions' English field errors mean, said in the user's language.
FIELD_ERRORS = {"name": _("Give the survey a name."), "question": _("Write the question the customer answers."),
                "kind": _("Choose NPS or CSAT."),
                "choice_question": _("Write the choice question its options answer (at most 300 characters)."),
                "choice_options": _("Give 2 to 10 different options, one a line, each at most 100 characters.")}


class SurveyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200,
                           error_messages={"required": FIELD_ERRORS["name"]})
    kind = forms.ChoiceField(label=_("Kind"), choices=list(KINDS.items()), initial="nps")
    question = forms.CharField(label=_("Question"), max_length=500,
                               widget=forms.Textarea(attrs={"rows": 2, "translate": "no"}),
                               error_messages={"required": FIELD_ERRORS["question"]})
    choice_question = forms.CharField(
        label=_("Choice question (optional)"), max_length=300, required=False,
        help_text=_("Asked after the score, with the options below; the customer picks one."),
        widget=forms.TextInput(attrs={"translate": "no"}))
    choice_options = forms.CharField(
        label=_("Options, one a line"), required=False, max_length=1200,
        widget=forms.Textarea(attrs={"rows": 4, "translate": "no"}))
    is_active = forms.BooleanField(label=_("Active (invitations may be sent and answered)"), required=False,
                                   initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]  # fixed once answers may exist
        else:
            del self.fields["is_active"]
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"survey-{name}")


def _survey_or_404(request: HttpRequest, survey_id: int, op: str = "view") -> Survey:
    try:
        return access_survey_by_id(request.user, survey_id, op=op)  # type: ignore[arg-type]
    except RecordNotFound:
        raise Http404("no such survey") from None
    except NotPermitted:
        raise PermissionDenied from None


def _initial(survey: Survey) -> dict[str, Any]:
    return {"name": survey.name, "question": survey.question, "is_active": survey.is_active,
            "choice_question": survey.choice_question, "choice_options": "\n".join(survey.choice_options or [])}


def _save(form: SurveyForm, write: Any) -> Survey | None:
    """Call ``write(**cleaned)``; an action's refusal becomes the form's field error."""
    try:
        return write(**form.cleaned_data)  # type: ignore[no-any-return]
    except feedback.FeedbackError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, FIELD_ERRORS.get(exc.field, str(exc)))
        return None


def _distributions(user: Any, survey: Survey) -> list[tuple[Table, list[int]]]:
    """The survey's answers by score and by option of its choice question, within the
    user's scope, as the page shows them (``report_tables``), each with its bars' widths
    in percent of its largest count."""
    answers = gettext("Answers")
    found = ((("scores", gettext("Score")), [(str(score), n) for score, n in distribution(user, survey)]),
             (("choices", gettext("Option")), choice_distribution(user, survey)))
    tables = []
    for (ident, label), counts in found:
        top = max((n for _label, n in counts), default=0)
        tables.append((Table(ident, (label, answers), [(text, num(n)) for text, n in counts]),
                       [round(100 * n / top) if top else 0 for _label, n in counts]))
    return tables


def _list_table(user: Any) -> tuple[list[Any], Table]:
    """The surveys the user sees with their figures, and their table (``report_tables``)."""
    rows = survey_rows(user)
    return rows, Table("list", (gettext("Survey"), gettext("Kind"), gettext("Invited"), gettext("Response rate"),
                                gettext("Answers"), gettext("Score")), [
        (r.survey.name, str(KINDS.get(r.survey.kind, r.survey.kind)), num(r.invited), pct(r.response_rate),
         num(r.responses), num(r.score, 0 if r.survey.kind == "nps" else 2)) for r in rows])


def survey_list_tables(user: Any, params: QueryDict) -> list[Table]:
    """The survey list's table for ``user`` (``report_tables``)."""
    if not can(user, "survey", "view"):
        raise NotPermitted("you may not see surveys")
    return [_list_table(user)[1]]


def survey_tables(user: Any, params: QueryDict) -> list[Table]:
    """The distribution tables of the survey ``params["survey"]`` for ``user``: ``LookupError``
    (404) for a survey the user may not see; no choice table without choice answers."""
    survey_id = params.get("survey", "")
    if not survey_id.isdigit():
        raise RecordNotFound("no such survey")
    return [t for t, _bars in _distributions(user, access_survey_by_id(user, int(survey_id))) if t.rows]


@login_required
@require_http_methods(["GET"])
def survey_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "survey", "view"):
        raise PermissionDenied
    rows, table = _list_table(request.user)
    return render_page(request, "web/surveys/list.html", {
        "rows": list(zip(rows, table.rows, strict=True)), "table": table, "table_page": "surveys",
        "can_export": has_capability(request.user, "export"),
        "can_create": can(request.user, "survey", "create"),
    }, section="surveys")


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "survey", "create"):
        raise PermissionDenied
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = _save(form, lambda **data: feedback.create_survey(request.user, **data))
        if survey is not None:
            return HttpResponseRedirect(reverse("web:survey", args=[survey.pk]))
    status = 422 if request.method == "POST" else 200
    return render_page(request, "web/surveys/new.html", {"form": form}, section="surveys", status=status)


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey_or_404(request, survey_id)
    may_edit = can(request.user, "survey", "update")
    form = SurveyForm(initial=_initial(survey), editing=True)
    status, saved = 200, False
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        form = SurveyForm(request.POST, editing=True)
        if form.is_valid() and _save(form, lambda **data: feedback.update_survey(request.user, survey, **data)):
            saved, form = True, SurveyForm(initial=_initial(survey), editing=True)
        else:
            status = 422
    row = survey_rows(request.user, Survey.objects.filter(pk=survey.pk))[0]
    (scores, score_bars), (choices, choice_bars) = _distributions(request.user, survey)
    return render_page(request, "web/surveys/detail.html", {
        "survey": survey, "row": row, "kind_label": KINDS.get(survey.kind, survey.kind),
        "scores": scores, "choices": choices, "score_rows": list(zip(scores.rows, score_bars, strict=True)),
        "choice_rows": list(zip(choices.rows, choice_bars, strict=True)),
        "can_export": has_capability(request.user, "export"), "table_page": "survey",
        "table_query": f"survey={survey.pk}",
        "comments": latest_comments(request.user, survey) if may_view_responses(request.user) else [],
        "form": form, "may_edit": may_edit, "saved": saved, "invite": invite_card(request, survey),
    }, section="surveys", status=status)


__all__ = ["survey_detail", "survey_list", "survey_list_tables", "survey_new", "survey_tables", "visible_surveys"]
