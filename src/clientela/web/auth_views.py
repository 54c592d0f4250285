"""Log in and log out of the web interface (Django's auth views with our templates)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth
from django.urls import reverse
from django.utils.translation import gettext as _

from clientela.web.navigation import menu_for

MY_DAY_ROLES = frozenset({"sales_rep", "service_agent"})


class LoginView(auth.LoginView):
    """``/login/``: fields ``username`` and ``password``; failures are throttled by the
    authentication backend (``CLIENTELA_LOGIN_FAILURE_LIMIT``)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(menu=menu_for(self.request.user), section="login", languages=settings.LANGUAGES)
        return context

    def get_default_redirect_url(self) -> str:
        """Without ``?next=``: My day for the roles whose day is tasks (sales
        representatives and service agents), the dashboard for the others."""
        if getattr(self.request.user, "role", "") in MY_DAY_ROLES:
            return reverse("web:my-day")
        return str(super().get_default_redirect_url())

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.error_messages["invalid_login"] = _(
            "The user name or password is not right. Both are case-sensitive."
        )
        return form


class LogoutView(auth.LogoutView):
    """``POST /logout/`` ends the session and shows the login page (GET is refused)."""

    http_method_names = ["post", "options"]
