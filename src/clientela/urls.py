from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from clientela.web import views

admin.site.site_header = "Clientela"
admin.site.site_title = "Clientela"
admin.site.index_title = "Customer record"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="home"),
]
