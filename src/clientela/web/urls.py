"""URLs of the web interface (included at the site root)."""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from clientela.web import auth_views, customers, dashboard, pipeline

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<int:party_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:party_id>/timeline/", customers.customer_timeline, name="customer-timeline"),
    path("customers/<int:party_id>/interactions/", customers.log_interaction, name="log-interaction"),
    path("pipeline/", pipeline.pipeline_home, name="pipeline-home"),
    path("pipeline/<int:pipeline_id>/", pipeline.pipeline_board, name="pipeline"),
    path("deals/<int:deal_id>/move/", pipeline.move, name="move-deal"),
]

auth_urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
