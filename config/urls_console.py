"""The operator console (/console/): staff only, each page checks its group permission."""

from django.urls import include, path

from core.views_console import console_home

app_name = "console"

urlpatterns = [
    path("", console_home, name="home"),
    path("catalog/", include("catalog.urls_console")),
    path("orders/", include("orders.urls_console")),
    path("marketing/", include("marketing.urls_console", namespace="marketing")),
    path("claims/", include("claims.urls_console", namespace="claims")),
    path("voc/", include("marketing.urls_console_voc", namespace="voc")),
    path("sellers/", include("partners.urls_console", namespace="sellers")),
    path("settlement/", include("settlement.urls_console", namespace="settlement")),
]
