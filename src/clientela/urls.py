from django.contrib import admin
from django.urls import include, path

from clientela import health
from clientela.api.main import api
from clientela.web import public
from clientela.web.urls import auth_urlpatterns

handler500 = "clientela.errors.server_error"

admin.site.site_header = "Clientela"
admin.site.site_title = "Clientela"
admin.site.index_title = "Customer record"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("s/<str:token>/", public.survey_answer, name="public-survey"),
    path("u/<str:token>/", public.unsubscribe, name="public-unsubscribe"),
    path("brand/logo/", public.brand_logo, name="brand-logo"),
    path("i18n/", include("django.conf.urls.i18n")),
    *auth_urlpatterns,
    path("", include("clientela.web.urls")),
]
