"""The partner portal (/partner/). Each app adds its portal pages with an include here."""

from django.urls import include, path

from .views import partner as views

app_name = "partner"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("apply/", views.apply, name="apply"),
    path("settlement/", include("settlement.urls_partner")),
]
