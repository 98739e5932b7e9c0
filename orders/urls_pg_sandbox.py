from django.urls import path

from orders.views import pg_sandbox

app_name = "pg_sandbox"

urlpatterns = [
    path("", pg_sandbox.console, name="console"),
    path("pay/", pg_sandbox.window, name="window"),
    path("payments/<str:payment_key>/deposit/", pg_sandbox.deposit, name="deposit"),
    path("payments/<str:payment_key>/expire/", pg_sandbox.expire, name="expire"),
    path("payments/<str:payment_key>/receipt/", pg_sandbox.receipt, name="receipt"),
    path("callbacks/<int:callback_id>/resend/", pg_sandbox.resend, name="resend"),
]
