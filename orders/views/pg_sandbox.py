"""The sandbox PG's own pages: its payment window and its test console (deposit, expire, callbacks).

They exist only while the shop runs with ``PAYMENT_GATEWAY=sandbox``. The window is protected by
its signed token. The console and its buttons can mark an order paid without money, so they are
for operators; where ``settings.SANDBOX_PG_SHOPPER_ACCESS`` is on (the embedded demo, off in
production) a signed-in shopper also sees and works the payments of their own orders, and nothing
else. Anonymous visitors get 403; a payment that is not the viewer's is a 404, as if absent.
"""

import logging
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import is_operator
from core.http import safe_next_url
from orders.forms import SandboxApproveForm
from orders.models import Order, SandboxPGCallback, SandboxPGPayment
from orders.payments import GatewayError
from orders.payments.sandbox import BANKS, CARD_COMPANIES, SandboxPG, deliver_callback
from orders.services.checkout import INSTALLMENT_MONTHS

logger = logging.getLogger(__name__)


def sandbox_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.PAYMENT_GATEWAY != "sandbox":
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def console_viewer(view):
    """Operators, or (where allowed) signed-in shoppers; anyone else is refused before the view runs."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not is_operator(user) and not (settings.SANDBOX_PG_SHOPPER_ACCESS and user.is_authenticated):
            raise PermissionDenied("the sandbox PG console is for operators")
        return view(request, *args, **kwargs)

    return wrapper


def _own_order_numbers(user):
    return Order.objects.filter(user=user).values("number")


def visible_payments(user):
    """The sandbox payments this person may see: all for an operator, their own orders' for a shopper."""
    payments = SandboxPGPayment.objects.all()
    if is_operator(user):
        return payments
    return payments.filter(order_id__in=_own_order_numbers(user))


def visible_callbacks(user):
    callbacks = SandboxPGCallback.objects.all()
    if is_operator(user):
        return callbacks
    numbers = list(_own_order_numbers(user).values_list("number", flat=True))
    return callbacks.filter(Q(body__orderId__in=numbers) | Q(body__data__orderId__in=numbers))


def _safe_next(request, fallback: str):
    """Where to go after a button: a path on this site only, never another host."""
    target = safe_next_url(request, "")
    return redirect(target or fallback)


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
@console_viewer
def console(request):
    payments = visible_payments(request.user).prefetch_related("cancels")[:50]
    callbacks = visible_callbacks(request.user).order_by("-id")[:30]
    return render(request, "pg_sandbox/console.html", {"payments": payments, "callbacks": callbacks,
                                                       "banks": BANKS})


@sandbox_only
@require_POST
@console_viewer
def deposit(request, payment_key):
    payment = get_object_or_404(visible_payments(request.user), payment_key=payment_key)
    try:
        SandboxPG.deposit(payment_key=payment.payment_key)
    except GatewayError as exc:
        return HttpResponseBadRequest(exc.message)
    logger.info("pg-sandbox deposit order=%s by user=%s", payment.order_id, request.user.pk)
    return _safe_next(request, "pg_sandbox:console")


@sandbox_only
@require_POST
@console_viewer
def expire(request, payment_key):
    payment = get_object_or_404(visible_payments(request.user), payment_key=payment_key)
    SandboxPG.expire(payment_key=payment.payment_key)
    logger.info("pg-sandbox expire order=%s by user=%s", payment.order_id, request.user.pk)
    return _safe_next(request, "pg_sandbox:console")


@sandbox_only
@require_POST
@console_viewer
def resend(request, callback_id):
    callback = get_object_or_404(visible_callbacks(request.user), pk=callback_id)
    deliver_callback(callback.pk)
    return _safe_next(request, "pg_sandbox:console")


@sandbox_only
@console_viewer
def receipt(request, payment_key):
    payment = get_object_or_404(visible_payments(request.user).prefetch_related("cancels"), payment_key=payment_key)
    return render(request, "pg_sandbox/receipt.html", {"payment": payment, "bank": BANKS.get(payment.bank_code, "")})
