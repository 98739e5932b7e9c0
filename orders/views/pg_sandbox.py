"""The sandbox PG's own pages: its payment window and its test console (deposit, expire, callbacks).

They exist only while the shop runs with ``PAYMENT_GATEWAY=sandbox``.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orders.forms import SandboxApproveForm
from orders.models import SandboxPGCallback, SandboxPGPayment
from orders.payments import GatewayError
from orders.payments.sandbox import BANKS, CARD_COMPANIES, SandboxPG, deliver_callback
from orders.services.checkout import INSTALLMENT_MONTHS


def sandbox_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.PAYMENT_GATEWAY != "sandbox":
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _with_query(url: str, params: dict) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


@sandbox_only
def window(request):
    try:
        data = SandboxPG.read_window_token(request.GET.get("token") or request.POST.get("token", ""))
    except signing.BadSignature:
        return HttpResponseBadRequest("invalid or expired payment window")
    if request.method == "POST":
        if request.POST.get("decision") == "decline":
            return redirect(_with_query(data["fail_url"], {
                "code": "PAY_PROCESS_CANCELED", "message": "사용자에 의해 결제가 취소되었습니다.",
                "orderId": data["order_id"]}))
        form = SandboxApproveForm(request.POST)
        if form.is_valid():
            payment = SandboxPG.authorize(
                window=data, card_company=form.cleaned_data["card_company"] or "",
                installment_months=form.cleaned_data["installment_months"] or 0,
                bank_code=form.cleaned_data["bank_code"] or "",
            )
            return redirect(_with_query(data["success_url"], {
                "paymentKey": payment.payment_key, "orderId": data["order_id"], "amount": data["amount"]}))
    return render(request, "pg_sandbox/window.html", {
        "data": data, "token": request.GET.get("token") or request.POST.get("token"),
        "banks": BANKS.items(), "cards": CARD_COMPANIES, "installment_choices": INSTALLMENT_MONTHS[1:],
    })


@sandbox_only
def console(request):
    payments = SandboxPGPayment.objects.prefetch_related("cancels")[:50]
    callbacks = SandboxPGCallback.objects.order_by("-id")[:30]
    return render(request, "pg_sandbox/console.html", {"payments": payments, "callbacks": callbacks,
                                                       "banks": BANKS})


@sandbox_only
@require_POST
def deposit(request, payment_key):
    get_object_or_404(SandboxPGPayment, payment_key=payment_key)
    try:
        SandboxPG.deposit(payment_key=payment_key)
    except GatewayError as exc:
        return HttpResponseBadRequest(exc.message)
    return redirect(request.POST.get("next") or "pg_sandbox:console")


@sandbox_only
@require_POST
def expire(request, payment_key):
    get_object_or_404(SandboxPGPayment, payment_key=payment_key)
    SandboxPG.expire(payment_key=payment_key)
    return redirect("pg_sandbox:console")


@sandbox_only
@require_POST
def resend(request, callback_id):
    callback = get_object_or_404(SandboxPGCallback, pk=callback_id)
    deliver_callback(callback.pk)
    return redirect("pg_sandbox:console")


@sandbox_only
def receipt(request, payment_key):
    payment = get_object_or_404(SandboxPGPayment.objects.prefetch_related("cancels"), payment_key=payment_key)
    return render(request, "pg_sandbox/receipt.html", {"payment": payment, "bank": BANKS.get(payment.bank_code, "")})
