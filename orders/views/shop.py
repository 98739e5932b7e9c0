"""The shopper's side of orders: cart, checkout, the PG round trip, my orders."""

import logging
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import Address
from core.exceptions import DomainError
from core.http import safe_next_url
from orders import selectors, services
from orders.forms import AddToCartForm, CheckoutForm, DepositRefundAccountForm, new_checkout_token
from orders.models import PaymentMethod
from orders.services.pricing import price_lines

logger = logging.getLogger(__name__)

SESSION_BUY_NOW = "buy_now"


def cart(request):
    cart = services.get_cart(request)
    lines = selectors.list_cart_lines(cart=cart)
    quote = price_lines([(line.sku, line.quantity, line) for line in lines], postcode="")
    selected_quote = price_lines([(line.sku, line.quantity, line) for line in lines if line.selected])
    return render(request, "shop/orders/cart.html", {
        "quote": quote, "selected_quote": selected_quote, "lines": lines,
        "selected_ids": {line.pk for line in lines if line.selected},
    })


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    product_url = safe_next_url(request, reverse("shop:cart"))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(product_url)
    if form.cleaned_data["buy_now"]:
        request.session[SESSION_BUY_NOW] = [[form.cleaned_data["sku"], form.cleaned_data["quantity"]]]
        checkout_url = reverse("shop:checkout") + "?mode=now"
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={checkout_url}")
        return redirect(checkout_url)
    try:
        services.add_to_cart(cart=services.get_cart(request, create=True), sku_id=form.cleaned_data["sku"],
                             quantity=form.cleaned_data["quantity"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(product_url)
    messages.success(request, _("Added to your cart."))
    return redirect(product_url if request.POST.get("stay") else reverse("shop:cart"))


@require_POST
def cart_update(request):
    cart = services.get_cart(request)
    if cart is None:
        return redirect("shop:cart")
    action = request.POST.get("action", "")
    ids = [int(i) for i in request.POST.getlist("line") if i.isdigit()]
    try:
        if action.startswith("quantity:"):
            line_id = int(action.split(":", 1)[1])
            quantity = request.POST.get(f"quantity_{line_id}", "")
            if not quantity.isdigit():
                raise DomainError(_("Enter a whole number."))
            services.change_cart_quantity(cart=cart, line_id=line_id, quantity=int(quantity))
        elif action.startswith("remove:"):
            services.remove_cart_lines(cart=cart, line_ids=[int(action.split(":", 1)[1])])
        elif action == "remove_selected":
            services.remove_cart_lines(cart=cart, line_ids=ids)
        elif action == "select":
            services.select_cart_lines(cart=cart, line_ids=ids)
        elif action == "order":
            services.select_cart_lines(cart=cart, line_ids=ids)
            if not ids:
                raise DomainError(_("Choose at least one item to order."))
            return redirect("shop:checkout")
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect("shop:cart")


def _checkout_items(request):
    """(items, from_cart) for the checkout: the 'buy now' item or the cart's selected lines."""
    if request.GET.get("mode") == "now" or request.POST.get("mode") == "now":
        return [tuple(item) for item in request.session.get(SESSION_BUY_NOW, [])], False
    cart = services.get_cart(request)
    lines = selectors.list_cart_lines(cart=cart)
    return [(line.sku_id, line.quantity) for line in lines if line.selected], True


CHECKOUT_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
RECALCULATE_ACTIONS = ("apply", "best", "use_points")


def _posted_checkout_token(request) -> str:
    token = request.POST.get("checkout_token", "")
    return token if CHECKOUT_TOKEN_PATTERN.fullmatch(token) else ""


def _go_to_placed_order(request, order):
    """A checkout form posted again (double click, reload, back button): the order it placed."""
    Status = order.PaymentStatus
    payment = getattr(order, "payment", None)
    if order.payment_status == Status.PAID:
        return redirect("shop:order_complete", number=order.number)
    if order.payment_status == Status.AWAITING and payment is not None and payment.status == payment.Status.READY:
        return redirect(_window_url(request, order))
    if order.payment_status == Status.AWAITING:
        return redirect("shop:order_detail", number=order.number)
    messages.warning(request, _("Order %(number)s from this checkout was not paid. Please check your order and pay "
                                "again.") % {"number": order.number})
    return redirect("shop:order_detail", number=order.number)


def _window_url(request, order, *, placed_now: bool = False) -> str:
    from orders.services.checkout import payment_window_url_for_placed_order

    success = request.build_absolute_uri(reverse("shop:payment_success", args=[order.number]))
    fail = request.build_absolute_uri(reverse("shop:payment_fail", args=[order.number]))
    if placed_now:
        return payment_window_url_for_placed_order(order=order, success_url=success, fail_url=fail)
    return services.payment_window_url(order=order, success_url=success, fail_url=fail)


@login_required
def checkout(request):
    """Delivery, coupons, points and payment method; 'apply' recalculates, 'pay' places the order.

    The form carries a one-time token: posting it again (a double click on 결제하기, a reload)
    leads to the order it placed the first time, never to a second order. Points are spent only
    as the shopper typed them, or all that may be used when they press "use" (``use_points``).
    """
    from orders.services.benefits import checkout_benefits, selection_from
    from orders.services.checkout import find_order_for_checkout, load_skus

    action = request.POST.get("action", "pay") if request.method == "POST" else ""
    paying = request.method == "POST" and action not in RECALCULATE_ACTIONS
    items, from_cart = _checkout_items(request)
    if not items:
        # The first submit may already have emptied a 'buy now' (or the cart, once paid): a form
        # posted again leads to the order it placed. With items left, place_order finds it itself.
        placed = find_order_for_checkout(user=request.user, checkout_token=_posted_checkout_token(request)) \
            if paying else None
        if placed is not None:
            return _go_to_placed_order(request, placed)
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:cart")
    line_keys = [sku_id for sku_id, _ in items]
    checkout_token = _posted_checkout_token(request) or new_checkout_token()
    use_all_points = False
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        selection = None if action == "best" else selection_from(request.POST, line_keys=line_keys)
        if not paying:
            form.is_valid()  # show the numbers; field errors only matter when paying
        elif form.is_valid():
            data = form.cleaned_data
            delivery = services.Delivery(recipient=data["recipient"], phone=data["phone"], postcode=data["postcode"],
                                         address1=data["address1"], address2=data["address2"],
                                         request=data["delivery_request"])
            try:
                order = services.place_order(
                    user=request.user, items=items, delivery=delivery, payment_method=data["payment_method"],
                    installment_months=data["installment_months"] or 0, from_cart=from_cart,
                    coupons=selection, points_amount=data["points_amount"] or 0,
                    checkout_token=data["checkout_token"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if order.replayed:
                    return _go_to_placed_order(request, order)
                if data["save_address"]:
                    _save_address(request.user, delivery)
                request.session.pop(SESSION_BUY_NOW, None)
                return redirect(_window_url(request, order, placed_now=True))
        points_amount = _int_or_zero(request.POST.get("points_amount"))
        use_all_points = action == "use_points"
    # The form is shown (not placed): the address book and the prices with the benefits.
    addresses = list(Address.objects.filter(user=request.user))
    default = addresses[0] if addresses else None
    if request.method != "POST":
        initial = {"recipient": request.user.name, "phone": request.user.phone}
        if default:
            initial.update(address_id=default.pk, recipient=default.recipient, phone=default.phone,
                           postcode=default.postcode, address1=default.address1, address2=default.address2,
                           delivery_request=default.delivery_request)
        form = CheckoutForm(initial=initial)
        selection = None
        points_amount = 0
    postcode = form["postcode"].value() or ""
    skus = load_skus(line_keys)  # once for the coupon options and the priced lines
    benefits = checkout_benefits(user=request.user, items=items, postcode=postcode, skus=skus)
    if selection is None:
        selection = benefits.best  # the shop suggests the best combination the rules allow
    if use_all_points:  # the server decides what "all" is, for the coupons chosen now
        points_amount = _usable_points(request.user, items=items, postcode=postcode, selection=selection)
    try:
        quote, _applied = services.apply_benefits(user=request.user, items=items, postcode=postcode,
                                                  coupons=selection, points_amount=points_amount, skus=skus)
    except DomainError as exc:
        messages.error(request, exc.message)
        quote = services.quote_items(items, postcode=postcode)
    chosen = dict(selection.product)
    for line in quote.lines:  # each line carries its own coupon choices for the template
        line.coupon_options = benefits.line_options.get(line.sku.pk, [])
        line.coupon_chosen = chosen.get(line.sku.pk)
    return render(request, "shop/orders/checkout.html", {
        "form": form, "quote": quote, "addresses": addresses, "mode": request.GET.get("mode", "")
        or request.POST.get("mode", ""), "methods": PaymentMethod.choices, "benefits": benefits,
        "selection": selection, "points_amount": points_amount,
        "is_best": selection == benefits.best, "checkout_token": checkout_token,
    })


def _usable_points(user, *, items, postcode: str, selection) -> int:
    """All the points this shopper may use on the order as priced with ``selection``."""
    from marketing.services.points import max_usable

    try:
        quote, _applied = services.apply_benefits(user=user, items=items, postcode=postcode, coupons=selection)
    except DomainError:
        return 0
    return max_usable(user=user, payable_amount=quote.total_amount)


def _int_or_zero(value) -> int:
    value = str(value or "").replace(",", "").strip()
    return int(value) if value.isdigit() else 0


def _save_address(user, delivery) -> None:
    """The address book is a convenience: a full book or a bad field never spoils the order."""
    from accounts.services import create_address

    try:
        create_address(user=user, recipient=delivery.recipient, phone=delivery.phone, postcode=delivery.postcode,
                       address1=delivery.address1, address2=delivery.address2, delivery_request=delivery.request)
    except DomainError:
        pass


@login_required
def payment_success(request, number):
    try:
        amount = int(request.GET.get("amount", ""))
        payment_key = request.GET["paymentKey"]
    except (KeyError, ValueError):
        return HttpResponseBadRequest(_("The payment result is incomplete."))
    if request.GET.get("orderId") != number:
        return HttpResponseBadRequest(_("The payment result is for another order."))
    try:
        order = services.confirm_payment(order_number=number, payment_key=payment_key, amount=amount,
                                         user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("shop:order_detail", number=number)
    return redirect("shop:order_complete", number=order.number)


@login_required
def payment_fail(request, number):
    services.fail_payment(order_number=number, user=request.user, code=request.GET.get("code", ""),
                          message=request.GET.get("message", ""))
    messages.error(request, request.GET.get("message") or _("The payment was not completed."))
    return redirect("shop:cart")


@login_required
def order_complete(request, number):
    order = selectors.get_order_for_shopper(user=request.user, number=number)
    if order is None:
        raise Http404
    return render(request, "shop/orders/complete.html", {"order": order})


@login_required
def order_list(request):
    from django.core.paginator import Paginator

    page = Paginator(selectors.list_orders_for_shopper(user=request.user), 10).get_page(request.GET.get("page"))
    return render(request, "shop/orders/list.html", {"page": page, "orders": page.object_list})


@login_required
def order_detail(request, number):
    from django.utils import timezone

    from orders.services.unpaid import can_cancel_unpaid

    order = selectors.get_order_for_shopper(user=request.user, number=number)
    if order is None:
        raise Http404
    payment = getattr(order, "payment", None)
    can_cancel = can_cancel_unpaid(order)
    can_pay = (can_cancel and payment.status == payment.Status.READY
               and (order.expires_at is None or order.expires_at > timezone.now()))
    deposit = _deposit_to_refund(order)
    return render(request, "shop/orders/detail.html", {
        "order": order, "can_pay": can_pay, "can_cancel": can_cancel, "deposit": deposit,
        "deposit_form": DepositRefundAccountForm(prefix="deposit") if deposit else None})


def _deposit_to_refund(order):
    """Money received after this order ended, still to refund (docs/orders-console.md)."""
    from orders.models import DepositAfterCancel

    return DepositAfterCancel.objects.filter(order=order).exclude(status=DepositAfterCancel.Status.REFUNDED).first()


@login_required
@require_POST
def order_deposit_refund(request, number):
    """The shopper gives the bank account for a deposit that arrived after the order ended: refunded now."""
    from orders.services.late_deposits import refund_deposit_after_cancel

    order = selectors.get_order_for_shopper(user=request.user, number=number)
    deposit = _deposit_to_refund(order) if order is not None else None
    if deposit is None:
        raise Http404
    form = DepositRefundAccountForm(request.POST, prefix="deposit")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("shop:order_detail", number=number)
    try:
        refund_deposit_after_cancel(deposit_id=deposit.pk, refund_account=form.refund_account(), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(amount)s won will be back in your account shortly.") % {
            "amount": f"{deposit.amount:,}"})
    return redirect("shop:order_detail", number=number)


@login_required
def order_pay(request, number):
    """결제하기 again for an order left in the PG window: back to the window while it may be paid."""
    from django.utils import timezone

    order = selectors.get_order_for_shopper(user=request.user, number=number)
    if order is None:
        raise Http404
    payment = getattr(order, "payment", None)
    payable = (order.payment_status == order.PaymentStatus.AWAITING and payment is not None
               and payment.status == payment.Status.READY
               and (order.expires_at is None or order.expires_at > timezone.now()))
    if not payable:
        messages.error(request, _("This order can no longer be paid."))
        return redirect("shop:order_detail", number=number)
    return redirect(_window_url(request, order))


@login_required
@require_POST
def order_cancel(request, number):
    """The shopper cancels an order that has no payment yet (the whole order)."""
    from orders.services.unpaid import cancel_unpaid_order

    order = selectors.get_order_for_shopper(user=request.user, number=number)
    if order is None:
        raise Http404
    try:
        cancel_unpaid_order(order=order, shopper=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your order is cancelled. Nothing was charged."))
    return redirect("shop:order_detail", number=number)


@login_required
def order_receipt(request, number):
    order = selectors.get_order_for_shopper(user=request.user, number=number)
    if order is None or order.payment_status != order.PaymentStatus.PAID:
        raise Http404
    return render(request, "shop/orders/receipt.html", {"order": order})


@login_required
@require_POST
def confirm_purchase(request, number, line_id):
    from orders.services.fulfilment import confirm_purchase as confirm

    order = selectors.get_order_for_shopper(user=request.user, number=number)
    if order is None or not any(line.pk == line_id for line in order.lines.all()):
        raise Http404
    try:
        confirm(line_id=line_id, shopper=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you! Your purchase is confirmed."))
    return redirect("shop:order_detail", number=number)


@csrf_exempt
@require_POST
def payment_webhook(request, gateway):
    """PG callbacks: 200 once stored (processing is queued), 4xx for a forged or malformed one.

    Only the configured gateway has a webhook (another name is a 404, as if not mounted), and each
    client address may post ``PAYMENT_WEBHOOK_RATE_PER_MINUTE`` times a minute. An unsigned event
    (Toss's PAYMENT_STATUS_CHANGED) is answered 200 without storing anything unless the PG, asked
    directly, reports a change (see ``receive_webhook``).
    """
    from core.ratelimit import allow, client_address
    from orders.exceptions import WebhookRejected

    if gateway != settings.PAYMENT_GATEWAY or gateway not in settings.PAYMENT_GATEWAYS:
        raise Http404
    if not allow(scope="payment-webhook", client=client_address(request),
                 limit=settings.PAYMENT_WEBHOOK_RATE_PER_MINUTE):
        return JsonResponse({"ok": False, "error": "rate_limited"}, status=429, headers={"Retry-After": "60"})
    if b"\x00" in request.body or b"\\u0000" in request.body:
        # No PG sends NUL; PostgreSQL refuses it in text and in jsonb, so it would only end in a 500.
        return JsonResponse({"ok": False, "error": "INVALID_REQUEST"}, status=400)
    try:
        event, created = services.receive_webhook(gateway_name=gateway, body=request.body, headers=request.headers)
    except WebhookRejected as exc:
        status = {"not_found": 404, "INVALID_SIGNATURE": 401, "forged": 401, "pg_unreachable": 503}.get(exc.code, 400)
        logger.info("payment webhook %s refused: %s (%s)", gateway, exc.code, client_address(request))
        return JsonResponse({"ok": False, "error": exc.code}, status=status)
    if event is None:
        return JsonResponse({"ok": True, "changed": False})
    return JsonResponse({"ok": True, "duplicate": not created})
