"""Log in and log out of the web interface (Django's auth views with our templates)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth
from django.utils.translation import gettext as _

from clientela.web.navigation import menu_for


class LoginView(auth.LoginView):
    """``/login/``: fields ``username`` and ``password``; failures are throttled by the
    authentication backend (``CLIENTELA_LOGIN_FAILURE_LIMIT``)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(menu=menu_for(self.request.user), section="login", languages=settings.LANGUAGES)
        return context

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.error_messages["invalid_login"] = _(
            "The user name or password is not right. Both are case-sensitive."
        )
        return form


class LogoutView(auth.LogoutView):
    """``POST /logout/`` ends the session and shows the login page (GET is refused)."""

    http_method_names = ["post", "options"]
