"""Task pages: My day, the task list, a new task, and the in-place changes of a task
(complete, reopen, reschedule, reassign) answered with the task's row for htmx."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.crm.accounts.permissions import can, require
from clientela.crm.errors import InvalidInput, StaleRecord
from clientela.crm.tasks import access, actions, queries
from clientela.crm.tasks.models import Task, TaskStatus
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx, one_page
from clientela.web.task_forms import (
    ReassignForm,
    RescheduleForm,
    TaskForm,
    parse_task_filters,
    today,
)

CHANGES = ("complete", "reopen", "reschedule", "reassign")



def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _may_view(request: HttpRequest) -> None:
    require(request.user, "task")


def _row_context(request: HttpRequest) -> dict[str, Any]:
    """What every task row needs, computed once per page (the URL prefixes too: reversing
    three URLs per row was a sixth of a 50-row list's time)."""
    return {
        "today": today(),
        "can_update": can(request.user, "task", "update"),
        "tasks_url": reverse("web:tasks"),
        "customers_url": reverse("web:customers"),
        # "/deals/" and "/cases/": the detail pages' prefixes (no list page has that path)
        "deals_url": reverse("web:deal", args=[1]).removesuffix("1/"),
        "cases_url": reverse("web:case", args=[1]).removesuffix("1/"),
    }


@login_required
@require_GET
def my_day(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    day = today()
    context = {
        "day": queries.my_day(request.user, day, with_deals=can(request.user, "deal", "view")),
        "can_create": can(request.user, "task", "create"),
        "show_deals": can(request.user, "deal", "view"),
        "next": request.get_full_path(),
        **_row_context(request),
    }
    return render_page(request, "web/tasks/my_day.html", context, section="my-day")


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    filters = parse_task_filters(request.GET)
    visible = access.visible_tasks(request.user)
    if filters.scope == "mine":
        visible = visible.filter(assignee=request.user)
    qs = queries.filter_tasks(visible, today=today(), status=filters.status, due=filters.due,
                              assignee_id=filters.assignee if filters.scope == "team" else None)
    rows, has_next = one_page(qs, filters.page)
    context = {
        "filters": filters,
        "tasks": rows,
        "has_next": has_next,
        "query": request.GET.copy(),
        "can_create": can(request.user, "task", "create"),
        "next": request.get_full_path(),
        "assignees": list(access.assignable_users(request.user)) if filters.scope == "team" else [],
        **_row_context(request),
    }
    if is_htmx(request, "task-results"):
        return render(request, "web/tasks/_results.html", context)
    return render_page(request, "web/tasks/list.html", context, section="tasks")


def _link_ids(params: Any) -> dict[str, int | None]:
    ids: dict[str, int | None] = {}
    for name in ("party", "deal", "case"):
        raw = (params.get(name) or "").strip()
        ids[f"{name}_id"] = int(raw) if raw.isdigit() and len(raw) < 19 and int(raw) > 0 else None
    return ids


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    """A new task, linked to the ``party``, ``deal`` or ``case`` of the query string (or
    the form's hidden fields), through ``tasks.actions.create_task``."""
    access.check_task_create(request.user)
    links = access.access_task_link(request.user, **_link_ids(request.POST if request.method == "POST" else request.GET))
    assignees = access.assignable_users(request.user)
    linked = next((v for v in links.values() if v is not None), None)
    initial = {"assignee": request.user.pk, **{k: getattr(v, "pk", None) for k, v in links.items()}}
    form = TaskForm(request.POST if request.method == "POST" else None, initial=initial, assignees=assignees)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.create_task(
                request.user, title=data["title"], due_on=data["due_at"], assignee=data["assignee"],
                description=data["description"], **links,
            )
        except InvalidInput as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            return redirect(_safe_next(request, reverse("web:my-day")))
    context = {"form": form, "linked": linked, "next": _safe_next(request, "")}
    return render_page(request, "web/tasks/form.html", context, section="tasks",
                       status=422 if form.is_bound else 200)


@login_required
@require_GET
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    """The reschedule and reassign forms of one task: loaded into its row when the row's
    *Reschedule or reassign* is opened (so a list does not carry every row's assignee
    list), or a page of their own without JavaScript."""
    _may_view(request)
    task = access.access_task_by_id(request.user, task_id, op="update")
    context = {"task": task, "next": _safe_next(request, ""), "today": today(),
               "assignees": list(access.assignable_users(request.user))}
    if is_htmx(request):
        return render(request, "web/tasks/_change_forms.html", {**context, "inline": True})
    return render_page(request, "web/tasks/edit.html", context, section="tasks")


def _fresh(task_id: int) -> Task:
    return queries.tasks().get(pk=task_id)


@login_required
@require_POST
def task_change(request: HttpRequest, task_id: int, change: str) -> HttpResponse:
    """Complete, reopen, reschedule or reassign a task (``change``), through
    ``tasks.actions``; htmx gets the task's row back, with a message when refused."""
    _may_view(request)
    if change not in CHANGES:
        raise Http404("no such change")
    task = access.access_task_by_id(request.user, task_id, op="update")
    version_text = request.POST.get("version", "")
    version = int(version_text) if version_text.isdigit() and len(version_text) < 10 else None
    error = ""
    try:
        if change in ("complete", "reopen"):
            status = TaskStatus.DONE if change == "complete" else TaskStatus.OPEN
            actions.set_task_status(request.user, task, status, expected_version=version)
        elif change == "reschedule":
            form: Any = RescheduleForm(request.POST)
            if form.is_valid():
                actions.update_task(request.user, task, due_on=form.cleaned_data["due_at"], expected_version=version)
            else:
                error = " ".join(form.errors.get("due_at", [])) or _("Choose a due date.")
        else:  # reassign
            form = ReassignForm(request.POST, assignees=access.assignable_users(request.user))
            if form.is_valid():
                actions.update_task(request.user, task, assignee=form.cleaned_data["assignee"], expected_version=version)
            else:
                error = _("You may not assign tasks to this user.")
    except StaleRecord:
        error = _("Someone changed this task meanwhile; it is shown as it is now.")
    except InvalidInput:
        error = _("The task cannot be changed this way.")
    if not is_htmx(request):
        return redirect(_safe_next(request, reverse("web:tasks")))
    context = {"task": _fresh(task.pk), "error": error, "next": _safe_next(request, ""), **_row_context(request)}
    if task.assignee_id == request.user.pk and change == "reassign" and not error:
        context["handed_over"] = True
    return render(request, "web/tasks/_row.html", context)  # 200 even when refused: htmx swaps only 2xx
