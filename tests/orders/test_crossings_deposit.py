"""Issue 9: a virtual-account deposit crossing the end of an unpaid order (expiry, the shopper's cancel).

Money is never lost: either it is captured and the order lives (paid), or the order stays ended and
the money is recorded and refunded through the PG. Before this change a deposit after expiry was
ignored (the PG kept the shopper's money for a cancelled order).
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from orders.exceptions import PaymentError
from orders.models import DepositAfterCancel, Order, OrderLine, Payment, PaymentCancel, PaymentEvent
from orders.payments import GatewayError, RefundAccount
from orders.payments.sandbox import SandboxPG
from orders.services import confirm_payment, expire_unpaid_orders, place_order, process_payment_event
from orders.services.late_deposits import refund_deposit_after_cancel
from orders.services.unpaid import cancel_unpaid_order
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.orders import fake_toss as fake_toss_module
from tests.orders.factories import DELIVERY, make_product

pytestmark = [pytest.mark.postgres]
OP = Order.PaymentStatus
D = DepositAfterCancel.Status
ACCOUNT = RefundAccount("088", "110123456789", "김구매")
fake_toss = fake_toss_module.fake_toss  # the fixture: a running fake Toss with settings pointed at it


def _virtual_account_order(price=20000, quantity=2):
    _, (sku,) = make_product(price=price, stock=10, fee=3000, free_threshold=1000000)
    order = place_order(user=UserFactory(), items=[(sku.pk, quantity)], delivery=DELIVERY,
                        payment_method="virtual_account")
    window = {"order_id": order.number, "order_name": "주문", "amount": order.total_amount,
              "method": "virtual_account", "success_url": "/ok", "fail_url": "/fail",
              "customer_name": order.orderer_name, "webhook_url": ""}  # the callback is delivered by hand below
    pg = SandboxPG.authorize(window=window, bank_code="088")
    confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount, user=order.user)
    order.refresh_from_db()
    assert order.payment.status == Payment.Status.WAITING_FOR_DEPOSIT
    return order, pg.payment_key


def _deposit_and_callback(payment_key: str, order: Order) -> str:
    """The shopper pays into the account and the PG's DEPOSIT_CALLBACK is handled by the shop."""
    try:
        SandboxPG.deposit(payment_key=payment_key)
    except GatewayError:
        return "refused"  # the account was closed at the PG first
    event = PaymentEvent.objects.create(gateway="sandbox", event_id=f"dep-{payment_key}", event_type="DEPOSIT_CALLBACK",
                                        payment_key=payment_key, order_number=order.number, payload={})
    process_payment_event(event_id=event.pk)
    return "deposited"


def _pg_holds(payment_key: str) -> int:
    return SandboxPG.get(payment_key=payment_key).balance_amount


@pytest.mark.django_db
def test_a_deposit_after_expiry_is_recorded_refunded_to_the_shoppers_account_and_never_kept(client):
    order, key = _virtual_account_order()
    assert expire_unpaid_orders(now=timezone.now() + timedelta(days=4)) == 1  # the PG was still waiting

    assert _deposit_and_callback(key, order) == "deposited"

    order.refresh_from_db()
    assert order.payment_status == OP.EXPIRED and order.paid_at is None  # the order stays ended
    assert set(order.lines.values_list("status", flat=True)) == {OrderLine.Status.CANCELLED}
    deposit = DepositAfterCancel.objects.get(order=order)
    assert (deposit.amount, deposit.status) == (43000, D.NEEDS_ACCOUNT)  # 2 × 20,000 + 3,000 shipping
    assert OutboxMessage.objects.filter(event="order.deposit_after_cancel", recipient=order.orderer_email).count() == 1
    assert _pg_holds(key) == 43000

    # The same callback again changes nothing.
    event = PaymentEvent.objects.create(gateway="sandbox", event_id="again", event_type="DEPOSIT_CALLBACK",
                                        payment_key=key, order_number=order.number, payload={})
    process_payment_event(event_id=event.pk)
    assert DepositAfterCancel.objects.count() == 1
    assert OutboxMessage.objects.filter(event="order.deposit_after_cancel", channel="email").count() == 1

    # Without the shopper's account nothing is sent to the PG.
    with pytest.raises(PaymentError):
        refund_deposit_after_cancel(deposit_id=deposit.pk)
    assert _pg_holds(key) == 43000

    # The operator sees it in the console list and refunds it to the account the shopper gave CS.
    client.force_login(OperatorFactory(groups=["cs"]))
    page = client.get(reverse("console:orders:deposits_after_cancel")).content.decode()
    assert order.number in page and "43,000" in page
    client.post(reverse("console:orders:deposits_after_cancel"), {
        "deposit": deposit.pk, "refund_bank_code": "088", "refund_account_number": "110-123-456789",
        "refund_holder": "김구매"})

    deposit.refresh_from_db()
    assert deposit.status == D.REFUNDED and _pg_holds(key) == 0
    refund = PaymentCancel.objects.get(payment__order=order)
    assert (refund.amount, refund.refund_account_number, refund.refund_holder) == (43000, "110123456789", "김구매")
    assert Payment.objects.get(order=order).cancelled_amount == 43000
    assert OutboxMessage.objects.filter(event="order.deposit_refunded", recipient=order.orderer_email).count() == 1
    assert f'data-deposit="{deposit.pk}"' not in client.get(reverse("console:orders:deposits_after_cancel")).content.decode()
    # Refunding again refunds nothing more.
    refund_deposit_after_cancel(deposit_id=deposit.pk, refund_account=ACCOUNT)
    assert PaymentCancel.objects.filter(payment__order=order).count() == 1


@pytest.mark.django_db
def test_a_refund_the_pg_refuses_stays_listed_to_retry():
    order, key = _virtual_account_order()
    expire_unpaid_orders(now=timezone.now() + timedelta(days=4))
    _deposit_and_callback(key, order)
    deposit = DepositAfterCancel.objects.get(order=order)
    from unittest import mock

    with mock.patch.object(SandboxPG, "cancel", side_effect=GatewayError("점검 중", code="PROVIDER_ERROR")):
        with pytest.raises(PaymentError):
            refund_deposit_after_cancel(deposit_id=deposit.pk, refund_account=ACCOUNT)
    deposit.refresh_from_db()
    assert deposit.status == D.REFUND_FAILED and "PROVIDER_ERROR" in deposit.error and _pg_holds(key) == 43000
    refund_deposit_after_cancel(deposit_id=deposit.pk)  # the account was kept
    deposit.refresh_from_db()
    assert deposit.status == D.REFUNDED and _pg_holds(key) == 0



@pytest.mark.django_db
def test_a_deposit_moves_only_as_written_and_every_move_is_audited():
    """Written from docs/lifecycle.md, not read from the service: a deposit only ever goes back."""
    from core.transitions import history
    from orders.services.late_deposits import DEPOSIT_TRANSITIONS

    assert DEPOSIT_TRANSITIONS == {"needs_account": {"refunding"}, "refunding": {"refunded", "refund_failed"},
                                   "refund_failed": {"refunding"}, "refunded": set()}
    order, key = _virtual_account_order()
    expire_unpaid_orders(now=timezone.now() + timedelta(days=4))
    _deposit_and_callback(key, order)
    deposit = DepositAfterCancel.objects.get(order=order)
    operator = OperatorFactory(groups=["cs"])
    from unittest import mock

    with mock.patch.object(SandboxPG, "cancel", side_effect=GatewayError("점검 중", code="PROVIDER_ERROR")):
        with pytest.raises(PaymentError):
            refund_deposit_after_cancel(deposit_id=deposit.pk, refund_account=ACCOUNT, actor=operator)
    refund_deposit_after_cancel(deposit_id=deposit.pk, actor=operator)
    moves = [(change.from_status, change.to_status, change.actor) for change in history(deposit)]
    assert moves == [("needs_account", "refunding", operator), ("refunding", "refund_failed", operator),
                     ("refund_failed", "refunding", operator), ("refunding", "refunded", operator)]
    assert _pg_holds(key) == 0

def _outcome(order: Order, key: str) -> str:
    """What became of the shopper's money: exactly one of these, never "lost"."""
    order.refresh_from_db()
    held = _pg_holds(key)
    deposit = DepositAfterCancel.objects.filter(order=order).first()
    if order.payment_status == OP.PAID:
        assert held == order.total_amount and deposit is None
        assert set(order.lines.values_list("status", flat=True)) == {OrderLine.Status.PAID}
        return "captured, order live"
    assert order.payment_status in (OP.EXPIRED, OP.CANCELLED)
    assert set(order.lines.values_list("status", flat=True)) == {OrderLine.Status.CANCELLED}
    if held == 0:
        assert deposit is None or deposit.status == D.REFUNDED
        return "never taken"
    assert deposit is not None and deposit.amount == held, "money captured for an ended order and not recorded"
    refund_deposit_after_cancel(deposit_id=deposit.pk, refund_account=ACCOUNT)
    assert _pg_holds(key) == 0
    return "refunded"


def _race(order, key, end_the_order, *, first: str = "") -> str:
    """The order's end and the deposit (with its callback) in two threads with their own connections:
    released together by a barrier, or ``first`` ("end" or "deposit") finishing before the other starts."""
    barrier = threading.Barrier(2, timeout=30)
    done = threading.Event()
    jobs = {"end": end_the_order, "deposit": lambda: _deposit_and_callback(key, order)}

    def run(name):
        close_old_connections()
        try:
            if first and name != first:
                done.wait(timeout=30)
            elif not first:
                barrier.wait()
            return jobs[name]()
        except PaymentError as error:
            return error.code
        finally:
            if name == first:
                done.set()
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, ["end", "deposit"]))
    return _outcome(order, key)


def _expire():
    return expire_unpaid_orders(now=timezone.now() + timedelta(days=4))


@pytest.mark.django_db(transaction=True)
def test_a_deposit_racing_the_expiry_is_either_captured_or_refunded():
    for first, expected in (("end", "refunded"), ("deposit", "captured, order live")):
        order, key = _virtual_account_order()
        assert _race(order, key, _expire, first=first) == expected
    for _ in range(4):  # at the same moment: one of the two, never money kept for an ended order
        order, key = _virtual_account_order()
        assert _race(order, key, _expire) in {"captured, order live", "refunded"}


@pytest.mark.django_db(transaction=True)
def test_a_deposit_racing_the_shoppers_cancel_is_either_captured_or_never_taken():
    def cancel(order):
        return lambda: cancel_unpaid_order(order=order, shopper=order.user)

    for first, expected in (("end", "never taken"), ("deposit", "captured, order live")):
        order, key = _virtual_account_order()
        assert _race(order, key, cancel(order), first=first) == expected
    for _ in range(4):
        order, key = _virtual_account_order()
        assert _race(order, key, cancel(order)) in {"captured, order live", "never taken", "refunded"}


@pytest.mark.django_db
def test_a_deposit_callback_after_the_shoppers_cancel_when_the_pg_took_the_money_anyway():
    """The PG accepted the deposit although the shop had closed the order (e.g. the PG's close was lost):
    the late callback finds a cancelled order and the money is refunded."""
    order, key = _virtual_account_order()
    from unittest import mock

    from orders.payments import PGStatus

    real_get = SandboxPG.get
    with mock.patch.object(SandboxPG, "cancel", side_effect=lambda **kw: real_get(payment_key=kw["payment_key"])), \
            mock.patch.object(SandboxPG, "get", side_effect=lambda **kw: real_get(**kw)):
        # The PG answers "still waiting" and the close is lost: the shop cancels locally.
        try:
            cancel_unpaid_order(order=order, shopper=order.user)
        except PaymentError:
            pass
    order.refresh_from_db()
    assert order.payment_status == OP.CANCELLED
    assert SandboxPG.get(payment_key=key).status == PGStatus.WAITING_FOR_DEPOSIT
    assert _deposit_and_callback(key, order) == "deposited"
    deposit = DepositAfterCancel.objects.get(order=order)
    assert deposit.status == D.NEEDS_ACCOUNT and deposit.amount == order.total_amount
    assert _outcome(order, key) == "refunded"


@pytest.mark.django_db
def test_with_toss_a_deposit_after_expiry_is_refunded_to_the_account_the_shopper_gave(fake_toss, settings):
    """The Toss adapter: the shop reads the deposit from Toss, and the refund of a deposited virtual
    account carries refundReceiveAccount (Toss refuses it without one, and so does the shop)."""
    settings.PAYMENT_GATEWAY = "toss"
    _, (sku,) = make_product(price=20000, stock=10, fee=3000, free_threshold=1000000)
    order = place_order(user=UserFactory(), items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="virtual_account")
    key = fake_toss.create_payment(order_id=order.number, amount=order.total_amount,
                                   method=fake_toss_module.METHOD_VIRTUAL_ACCOUNT)
    confirm_payment(order_number=order.number, payment_key=key, amount=order.total_amount, user=order.user)
    assert expire_unpaid_orders(now=timezone.now() + timedelta(days=8)) == 1
    fake_toss.deposit(key)  # the shopper paid after the shop gave up on the order
    event = PaymentEvent.objects.create(gateway="toss", event_id="toss-dep", event_type="DEPOSIT_CALLBACK",
                                        payment_key=key, order_number=order.number, payload={})
    process_payment_event(event_id=event.pk)

    deposit = DepositAfterCancel.objects.get(order=order)
    assert (deposit.status, deposit.amount) == (D.NEEDS_ACCOUNT, 43000)
    with pytest.raises(PaymentError):
        refund_deposit_after_cancel(deposit_id=deposit.pk)
    assert not fake_toss.requests_to("/cancel")  # nothing asked of Toss without an account

    refund_deposit_after_cancel(deposit_id=deposit.pk, refund_account=ACCOUNT)

    deposit.refresh_from_db()
    assert deposit.status == D.REFUNDED and fake_toss.payments[key]["status"] == "CANCELED"
    (request,) = fake_toss.requests_to("/cancel")
    assert request["body"]["refundReceiveAccount"] == {"bank": "088", "accountNumber": "110123456789",
                                                       "holderName": "김구매"}
    assert request["headers"].get("idempotency-key") == f"deposit-after-cancel-{order.number}"


@pytest.mark.django_db
def test_the_shopper_gives_the_refund_account_on_the_order_page_and_is_refunded(client):
    order, key = _virtual_account_order()
    expire_unpaid_orders(now=timezone.now() + timedelta(days=4))
    _deposit_and_callback(key, order)
    url = reverse("shop:order_deposit_refund", args=[order.number])

    client.force_login(UserFactory())  # another shopper: not theirs
    assert client.post(url, {"deposit-refund_bank_code": "088", "deposit-refund_account_number": "110123456789",
                             "deposit-refund_holder": "김구매"}).status_code == 404
    client.force_login(order.user)
    page = client.get(reverse("shop:order_detail", args=[order.number])).content.decode()
    assert "43,000" in page and url in page
    client.post(url, {"deposit-refund_bank_code": "088", "deposit-refund_account_number": "12ab",
                      "deposit-refund_holder": "김구매"})  # not digits: nothing sent
    assert _pg_holds(key) == 43000 and DepositAfterCancel.objects.get(order=order).status == D.NEEDS_ACCOUNT

    client.post(url, {"deposit-refund_bank_code": "088", "deposit-refund_account_number": "110-123-456789",
                      "deposit-refund_holder": "김구매"})

    deposit = DepositAfterCancel.objects.get(order=order)
    assert deposit.status == D.REFUNDED and _pg_holds(key) == 0 and deposit.refund_account_number == "110123456789"
    assert url not in client.get(reverse("shop:order_detail", args=[order.number])).content.decode()


@pytest.mark.django_db
def test_only_operators_with_order_cs_rights_reach_the_deposit_list_and_only_its_shopper_the_form(client):
    """The console's 취소 후 입금 환불 list (GET and POST) and the shopper's refund-account form: anonymous
    visitors go to the login, shoppers, seller staff and operators without order CS rights get 403 on the
    list, nobody but the order's shopper reaches the form, and nothing is refunded on the way."""
    from tests.partners.factories import seller_with_staff

    order, key = _virtual_account_order()
    expire_unpaid_orders(now=timezone.now() + timedelta(days=4))
    _deposit_and_callback(key, order)
    deposit = DepositAfterCancel.objects.get(order=order)
    console = reverse("console:orders:deposits_after_cancel")
    form = reverse("shop:order_deposit_refund", args=[order.number])
    post = {"deposit": deposit.pk, "refund_bank_code": "088", "refund_account_number": "110123456789",
            "refund_holder": "김구매"}
    shop_post = {"deposit-refund_bank_code": "088", "deposit-refund_account_number": "110123456789",
                 "deposit-refund_holder": "김구매"}

    for method in (client.get, client.post):
        response = method(console, post)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(form, shop_post)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    _seller, seller_staff = seller_with_staff(role="owner")
    for person in (UserFactory(), order.user, seller_staff, OperatorFactory(groups=["marketing"]),
                   OperatorFactory(groups=["settlement"])):
        client.force_login(person)
        assert client.get(console).status_code == 403
        assert client.post(console, post).status_code == 403
    for person in (UserFactory(), seller_staff, OperatorFactory(groups=["cs"])):
        client.force_login(person)
        assert client.post(form, shop_post).status_code == 404
    deposit.refresh_from_db()
    assert deposit.status == D.NEEDS_ACCOUNT and _pg_holds(key) == 43000  # nothing happened

    client.force_login(OperatorFactory(groups=["cs"]))
    assert order.number in client.get(console).content.decode()
