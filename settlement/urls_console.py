from django.urls import path

from .views import console

app_name = "settlement"

urlpatterns = [
    path("", console.dashboard, name="dashboard"),
    path("close/", console.close_period, name="close_period"),
    path("statements/", console.statement_list, name="statements"),
    path("statements/<int:statement_id>/", console.statement_detail, name="statement_detail"),
    path("statements/<int:statement_id>/excel/", console.statement_excel, name="statement_excel"),
    path("statements/<int:statement_id>/paid/", console.statement_paid, name="statement_paid"),
    path("statements/<int:statement_id>/failed/", console.statement_failed, name="statement_failed"),
    path("holds/", console.holds, name="holds"),
    path("holds/<int:hold_id>/release/", console.release_hold, name="release_hold"),
    path("adjustments/", console.adjustments, name="adjustments"),
    path("payouts/", console.payout_batches, name="batches"),
    path("payouts/<int:batch_id>/", console.batch_detail, name="batch_detail"),
    path("payouts/<int:batch_id>/transfers.xlsx", console.batch_excel, name="batch_excel"),
    path("commission-rules/", console.commission_rules, name="commission_rules"),
    path("reconcile/", console.reconciliation, name="reconcile"),
    path("statistics/", console.statistics, name="statistics"),
    path("tax-invoices/", console.tax_invoices, name="tax_invoices"),
]
