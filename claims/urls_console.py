from django.urls import path

from claims.views import console

app_name = "claims"

urlpatterns = [
    path("", console.claim_list, name="list"),
    path("bulk/", console.bulk_action, name="bulk_action"),
    path("refunds-due/", console.refunds_due, name="refunds_due"),
    path("refunds-failed/", console.refunds_failed, name="refunds_failed"),
    path("new/<str:order_number>/<str:claim_type>/", console.claim_new, name="new"),
    path("<str:number>/", console.claim_detail, name="detail"),
    path("<str:number>/memo/", console.claim_memo, name="memo"),
    path("<str:number>/<str:step>/", console.claim_step, name="step"),
]
