from django.urls import path

from .views import partner

urlpatterns = [
    path("", partner.statement_list, name="settlement_statements"),
    path("statistics/", partner.statistics, name="settlement_statistics"),
    path("<int:statement_id>/", partner.statement_detail, name="settlement_statement"),
    path("<int:statement_id>/excel/", partner.statement_excel, name="settlement_statement_excel"),
]
