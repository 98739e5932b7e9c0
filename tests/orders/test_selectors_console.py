from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Order, OrderLine
from orders.selectors import count_lines_by_status, normalize_phone, search_console_lines
from tests.orders.test_views_console import paid_orders

S = OrderLine.Status


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def two_orders(db):
    first, second = paid_orders(2)
    # Each shopper ships to themselves (the name and phone searches look at the recipient too).
    Order.objects.filter(pk=first.order_id).update(orderer_name="김하나", orderer_phone="010-1111-2222",
                                                   orderer_email="Hana@Example.com", recipient="김하나",
                                                   recipient_phone="010-1111-2222")
    Order.objects.filter(pk=second.order_id).update(orderer_name="박둘", orderer_phone="010-3333-4444",
                                                    orderer_email="dul@example.com", payment_method="kakao_pay",
                                                    recipient="박둘", recipient_phone="010-3333-4444")
    OrderLine.objects.filter(pk=second.pk).update(product_name="린넨 셔츠")
    return first, second


def test_search_by_order_number_name_phone_and_email(two_orders):
    first, second = two_orders
    assert ids(search_console_lines(number=first.order.number)) == {first.pk}
    assert ids(search_console_lines(name="박둘")) == {second.pk}
    assert ids(search_console_lines(phone="01011112222")) == {first.pk}
    assert ids(search_console_lines(phone="010-3333-4444")) == {second.pk}
    assert ids(search_console_lines(email="hana@example.COM")) == {first.pk}
    assert not search_console_lines(name="최").exists()


def test_partial_search_by_last_four_phone_digits_part_of_a_name_or_of_an_order_number(two_orders):
    """Issue 9: CS searches with what the caller says: "끝자리 2222", "김…", "주문번호 끝 0002"."""
    first, second = two_orders
    Order.objects.filter(pk=first.order_id).update(number="20261130-004217")
    Order.objects.filter(pk=second.order_id).update(number="20261130-005555")
    assert ids(search_console_lines(phone="2222")) == {first.pk}
    assert ids(search_console_lines(phone="4444")) == {second.pk}
    assert not search_console_lines(phone="1111").exists()  # the middle digits are not the last four
    assert ids(search_console_lines(name="김")) == {first.pk}  # a surname
    assert ids(search_console_lines(name="하나")) == {first.pk}  # a given name
    assert ids(search_console_lines(number="4217")) == {first.pk}
    assert ids(search_console_lines(number="1130-0055")) == {second.pk}
    assert ids(search_console_lines(number="20261130-004217")) == {first.pk}  # whole: exact
    assert ids(search_console_lines(number="20261130")) == {first.pk, second.pk}


def test_search_by_product_seller_payment_method_and_status(two_orders):
    first, second = two_orders
    assert ids(search_console_lines(product="린넨")) == {second.pk}
    assert ids(search_console_lines(product="니트")) == {first.pk}
    assert ids(search_console_lines(seller=first.seller)) == {first.pk, second.pk}
    assert ids(search_console_lines(payment_method="kakao_pay")) == {second.pk}
    assert ids(search_console_lines(status="paid")) == {first.pk, second.pk}
    assert not search_console_lines(status="shipping").exists()


def test_search_by_order_date_and_delayed_only(two_orders):
    first, second = two_orders
    today = timezone.localdate()
    assert ids(search_console_lines(date_from=today, date_to=today)) == {first.pk, second.pk}
    assert not search_console_lines(date_from=today + timedelta(days=1)).exists()
    assert not search_console_lines(date_to=today - timedelta(days=1)).exists()
    OrderLine.objects.filter(pk=first.pk).update(ship_by_date=today - timedelta(days=1))
    OrderLine.objects.filter(pk=second.pk).update(ship_by_date=today + timedelta(days=1))
    assert ids(search_console_lines(delayed_only=True)) == {first.pk}


def test_the_newest_lines_come_first(two_orders):
    first, second = two_orders
    assert list(search_console_lines().values_list("pk", flat=True)) == [second.pk, first.pk]


def test_status_counts_are_one_group_by_and_cached(two_orders, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = count_lines_by_status()
    assert counts["paid"] == 2 and counts["all"] == 2 and counts["shipping"] == 0
    with django_assert_num_queries(0):
        count_lines_by_status()


def test_phone_forms():
    assert set(normalize_phone("01012345678")) == {"01012345678", "010-1234-5678"}
    assert "02-123-4567" in normalize_phone("021234567")
