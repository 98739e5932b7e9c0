"""Partner portal pages of marketing (included from partners/urls_partner.py)."""

from django.urls import path

from marketing.views import partner

urlpatterns = [
    path("marketing/funnel/", partner.seller_funnel, name="marketing_funnel"),
    path("store/marketing/", partner.seller_programs, name="marketing_programs"),
]
