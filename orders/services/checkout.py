"""Placing an order: one transaction that locks stock, prices from the database and records
what every line cost."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.exceptions import OutOfStock
from catalog.models import SKU
from orders.exceptions import CheckoutError
from orders.models import Order, OrderLine, OrderShipping, Payment, PaymentMethod
from orders.signals import order_placed

from .pricing import Quote, price_lines

MAX_LINES_PER_ORDER = 50
INSTALLMENT_MONTHS = (0, 2, 3, 4, 5, 6, 10, 12)
INSTALLMENT_MINIMUM_AMOUNT = 50_000  # Korean card installments start at 50,000 won


@dataclass(frozen=True)
class Delivery:
    recipient: str
    phone: str
    postcode: str
    address1: str
    address2: str = ""
    request: str = ""


def next_daily_value(name: str, *, day=None) -> tuple:
    """The next value of the per-day counter ``name`` (orders, claims…): (day, value).

    Runs in its own short transaction so concurrent callers do not queue behind one row;
    a caller that fails afterwards leaves a gap, which is fine.
    """
    day = day or timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_dailysequence (name, day, value) VALUES (%s, %s, 1) "
            "ON CONFLICT (name, day) DO UPDATE SET value = orders_dailysequence.value + 1 RETURNING value",
            [name, day],
        )
        value = cursor.fetchone()[0]
    return day, value


def next_order_number(*, day=None) -> str:
    """A readable, unique order number: YYYYMMDD-NNNNNN, counting per day (Korea time)."""
    day, value = next_daily_value("order", day=day)
    return f"{day:%Y%m%d}-{value:06d}"


def load_skus(sku_ids, *, lock: bool = False):
    queryset = SKU.objects.select_related("product__seller__shipping_policy").filter(pk__in=sku_ids).order_by("pk")
    if lock:
        queryset = queryset.select_for_update(of=("self",)) if connection.features.has_select_for_update_of \
            else queryset.select_for_update()
    return {sku.pk: sku for sku in queryset}


def quote_items(items: list[tuple[int, int]], *, postcode: str = "", discount_amount: int = 0,
                points_amount: int = 0) -> Quote:
    """Price (sku_id, quantity) pairs for display; nothing is locked or changed."""
    skus = load_skus([sku_id for sku_id, _ in items])
    return price_lines([(skus[sku_id], quantity) for sku_id, quantity in items if sku_id in skus],
                       postcode=postcode, discount_amount=discount_amount, points_amount=points_amount)


def find_order_for_checkout(*, user, checkout_token: str) -> Order | None:
    """The order an earlier submit of this checkout form placed, if any."""
    if not checkout_token:
        return None
    return Order.objects.filter(user=user, checkout_token=checkout_token).first()


def place_order(*, user, items: list[tuple[int, int]], delivery: Delivery, payment_method: str,
                installment_months: int = 0, from_cart: bool = False, discount_amount: int = 0,
                points_amount: int = 0, coupons=None, checkout_token: str = "") -> Order:
    """Place an order awaiting payment, or raise CheckoutError / OutOfStock changing nothing.

    Precondition: ``items`` are (sku_id, quantity) pairs chosen by the shopper. Side effects, in
    one transaction: the SKU rows are locked in id order and their stock taken (ledger rows
    ORDERED), the order, its lines (PENDING_PAYMENT), its per-seller shipping and a READY
    payment are written with their first audit records. Prices come from the database only.
    The stock comes back if the order is not paid by ``expires_at``. ``coupons`` (a
    marketing.discounts.Selection keyed by SKU id) and ``points_amount`` are spent in the same
    transaction: a coupon or points another checkout spent first make this one fail whole.

    Idempotent per ``checkout_token`` (the one-time token of the checkout form): a second call
    with the same token — a double click, a replayed POST — returns the order the first placed,
    with ``order.replayed = True``, and takes no stock: never a second order, never a false
    "sold out". Two calls racing each other are serialised by the SKU row locks (the second
    looks for the token again once it holds them) and, last, by the (user, token) unique
    constraint.
    """
    existing = find_order_for_checkout(user=user, checkout_token=checkout_token)
    if existing is not None:
        existing.replayed = True
        return existing
    if not items:
        raise CheckoutError(_("Choose at least one item to order."))
    if len(items) > MAX_LINES_PER_ORDER:
        raise CheckoutError(_("An order can hold at most %(count)d items.") % {"count": MAX_LINES_PER_ORDER})
    if payment_method not in PaymentMethod.values:
        raise CheckoutError(_("Choose a payment method."))
    merged: dict[int, int] = {}
    for sku_id, quantity in items:
        if quantity < 1:
            raise CheckoutError(_("Quantities must be at least 1."))
        merged[int(sku_id)] = merged.get(int(sku_id), 0) + int(quantity)
    if installment_months not in INSTALLMENT_MONTHS or (installment_months and payment_method != PaymentMethod.CARD):
        raise CheckoutError(_("Choose a valid installment plan."))
    number = next_order_number()
    try:
        with transaction.atomic():  # a savepoint: a lost race on the token leaves the caller's transaction usable
            order = _place_order(user=user, number=number, items=sorted(merged.items()), delivery=delivery,
                                 payment_method=payment_method, installment_months=installment_months,
                                 from_cart=from_cart, discount_amount=discount_amount, points_amount=points_amount,
                                 coupons=coupons, checkout_token=checkout_token)
    except IntegrityError:
        existing = find_order_for_checkout(user=user, checkout_token=checkout_token)
        if existing is None:
            raise
        order = existing
    if not hasattr(order, "replayed"):
        order.replayed = False
    return order


def line_inputs(quote: Quote):
    """The coupon engine's view of a quote's lines."""
    from marketing.discounts import LineInput

    return [LineInput(key=line.sku.pk, product_id=line.sku.product.pk, seller_id=line.sku.product.seller.pk,
                      category_path=line.sku.product.category_path, items_amount=line.items_amount,
                      shipping_share_amount=line.shipping_share_amount) for line in quote.lines if line.orderable]


def apply_benefits(*, user, items, postcode: str, coupons=None, points_amount: int = 0, discount_amount: int = 0,
                   skus=None, skip_problems: bool = True):
    """Price ``items`` with the chosen coupons and points: (quote, applied coupon discounts).

    Raises CheckoutError when a coupon does not apply, PointsError when the points do not fit.
    """
    from marketing import discounts
    from marketing.services.coupons import coupon_inputs, usable_coupons
    from marketing.services.points import validate_use

    skus = skus or load_skus([sku_id for sku_id, _ in items])
    priced_items = [(skus[sku_id], quantity) for sku_id, quantity in items if sku_id in skus]
    base = price_lines(priced_items, postcode=postcode, skip_problems=skip_problems)
    applied = discounts.Discounts()
    if coupons is not None and coupons.coupon_ids:
        inputs = coupon_inputs(usable_coupons(user=user).filter(pk__in=coupons.coupon_ids))
        try:
            applied = discounts.apply(line_inputs(base), inputs, coupons)
        except discounts.CouponNotApplicable as exc:
            raise CheckoutError(_("A coupon you chose cannot be used on this order. Please choose again."),
                                code="coupon") from exc
    if points_amount:
        validate_use(user=user, amount=points_amount, payable_amount=base.total_amount - applied.total)
    try:
        quote = price_lines(priced_items, postcode=postcode, skip_problems=skip_problems,
                            line_discounts=applied.per_line, points_amount=points_amount,
                            discount_amount=discount_amount)
    except ValueError as exc:
        raise CheckoutError(_("The discount is larger than the order.")) from exc
    return quote, applied


def _place_order(*, user, number, items, delivery, payment_method, installment_months, from_cart,
                 discount_amount, points_amount, coupons, checkout_token="") -> Order:
    """The body of ``place_order``, always inside its ``transaction.atomic()`` (no savepoint of its own)."""
    from catalog.services import reserve_stock
    from marketing.services.coupons import redeem_for_order
    from marketing.services.points import use_points

    skus = load_skus([sku_id for sku_id, _ in items], lock=True)
    missing = [sku_id for sku_id, _ in items if sku_id not in skus]
    if missing:
        raise CheckoutError(_("Some items are no longer available. Please check your cart."))
    # Holding the SKU locks, look again: a twin request may have placed the order meanwhile (it
    # took the stock, so going on would tell this shopper their own items are sold out).
    existing = find_order_for_checkout(user=user, checkout_token=checkout_token)
    if existing is not None:
        existing.replayed = True
        return existing
    quote, applied = apply_benefits(user=user, items=items, postcode=delivery.postcode, coupons=coupons,
                                    points_amount=points_amount, discount_amount=discount_amount, skus=skus,
                                    skip_problems=False)
    problems = [line for line in quote.lines if line.problem]
    if problems:
        first = problems[0]
        if first.sku.stock_quantity < first.quantity and first.sku.product.is_visible:
            raise OutOfStock(_("“%(name)s %(option)s” is sold out or has too little stock.") % {
                "name": first.sku.product.name, "option": first.sku.option_label})
        raise CheckoutError(_("“%(name)s” cannot be ordered now: %(problem)s") % {
            "name": first.sku.product.name, "problem": first.problem})
    if installment_months and quote.total_amount < INSTALLMENT_MINIMUM_AMOUNT:
        raise CheckoutError(_("Installments are available from 50,000 won."))

    reserve_stock(items=items, reference=number)

    now = timezone.now()
    order = Order.objects.create(
        number=number, user=user, payment_method=payment_method,
        orderer_name=user.name, orderer_email=user.email, orderer_phone=user.phone or delivery.phone,
        recipient=delivery.recipient, recipient_phone=delivery.phone, postcode=delivery.postcode,
        address1=delivery.address1, address2=delivery.address2, delivery_request=delivery.request,
        items_amount=quote.items_amount, shipping_amount=quote.shipping_amount,
        discount_amount=quote.discount_amount, points_amount=quote.points_amount,
        total_amount=quote.total_amount, expires_at=now + timedelta(minutes=settings.PAYMENT_WINDOW_MINUTES),
        from_cart=from_cart, checkout_token=checkout_token,
    )
    OrderShipping.objects.bulk_create([
        OrderShipping(order=order, seller=group.seller, base_fee_amount=group.base_fee_amount,
                      remote_surcharge_amount=group.remote_surcharge_amount, fee_amount=group.fee_amount,
                      free_threshold_amount=group.free_threshold_amount,
                      # the claim fees in force now (issue 9 point 3): later policy changes never reach this order
                      return_fee_amount=group.policy.return_fee_amount if group.policy else 0,
                      exchange_fee_amount=group.policy.exchange_fee_amount if group.policy else 0,
                      policy_base_fee_amount=group.policy.base_fee_amount if group.policy else 0)
        for group in quote.groups
    ])
    lines = OrderLine.objects.bulk_create([
        OrderLine(
            order=order, seller=line.sku.product.seller, product=line.sku.product, sku=line.sku,
            product_name=line.sku.product.name, option_label=line.sku.option_label, sku_code=line.sku.code,
            quantity=line.quantity, unit_price_amount=line.unit_price_amount,
            option_delta_amount=line.option_delta_amount, items_amount=line.items_amount,
            shipping_share_amount=line.shipping_share_amount, discount_share_amount=line.discount_share_amount,
            points_share_amount=line.points_share_amount, paid_amount=line.paid_amount,
            shipping_discount_share_amount=applied.per_coupon_line.get((coupons.shipping, line.sku.pk), 0)
            if coupons is not None and coupons.shipping is not None else 0,
        )
        for line in quote.lines
    ])
    payment = Payment.objects.create(order=order, gateway=settings.PAYMENT_GATEWAY, method=payment_method,
                                     amount=order.total_amount, card_installment_months=installment_months)
    if not connection.features.can_return_rows_from_bulk_insert:
        lines = list(order.lines.all())
    if coupons is not None and coupons.coupon_ids:
        redeem_for_order(user=user, order=order, selection=coupons, lines_by_key={line.sku_id: line for line in lines},
                         applied=applied)
    if points_amount:
        use_points(user=user, amount=points_amount, payable_amount=order.total_amount + points_amount, order=order)
    # Inside the transaction: settlement freezes each line's commission, marketing the attribution.
    order_placed.send(sender=Order, order=order, lines=lines)
    _record_placed(order=order, lines=lines, payment=payment, actor=user)
    # What the payment window needs, already in hand (``payment_window_url_for_placed_order``).
    order.placed_payment, order.placed_lines = payment, lines
    return order


def _record_placed(*, order: Order, lines, payment: Payment, actor) -> None:
    """The first status records ('' → initial) of the order, its lines and its payment: one INSERT.

    The same rows ``lines.record_created`` writes for each group, written together.
    """
    from django.contrib.contenttypes.models import ContentType

    from core.models import StatusChange

    reason = "order placed"
    actor = actor if getattr(actor, "pk", None) else None
    groups = [([order], "payment_status"), (lines, "status"), ([payment], "status")]
    StatusChange.objects.bulk_create([
        StatusChange(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, field=field,
                     from_status="", to_status=getattr(obj, field), actor=actor, reason=reason)
        for objects, field in groups for obj in objects
    ])


def payment_window_url_for_placed_order(*, order: Order, success_url: str, fail_url: str) -> str:
    """The PG window of an order ``place_order`` just placed, from the payment and lines it wrote.

    Spares reading back what this request itself inserted (the payment and, for the order name,
    the lines); any other order goes through ``payments.payment_window_url``.
    """
    from orders.payments import get_gateway

    from .payments import payment_window_url

    payment = getattr(order, "placed_payment", None)
    if payment is None or getattr(order, "replayed", False):
        return payment_window_url(order=order, success_url=success_url, fail_url=fail_url)
    payment.order = order
    order._prefetched_objects_cache = {**getattr(order, "_prefetched_objects_cache", {}), "lines": order.placed_lines}
    return get_gateway(payment.gateway).window_url(payment=payment, success_url=success_url, fail_url=fail_url)
