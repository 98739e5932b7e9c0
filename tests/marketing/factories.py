from datetime import timedelta

import factory
from django.utils import timezone

from marketing.models import Coupon, IssuedCoupon, PointEntry


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"쿠폰 {n}")
    kind = Coupon.Kind.CART
    discount_type = Coupon.DiscountType.AMOUNT
    discount_value = 3000
    status = Coupon.Status.ACTIVE


def give_coupon(user, **coupon_fields) -> IssuedCoupon:
    coupon = CouponFactory(**coupon_fields)
    coupon.issued_count += 1
    coupon.save(update_fields=["issued_count"])
    return IssuedCoupon.objects.create(coupon=coupon, user=user, source="test")


def give_points(user, amount: int, *, expires_in_days: int = 365, created_days_ago: int = 0) -> PointEntry:
    entry = PointEntry.objects.create(user=user, kind=PointEntry.Kind.GRANT, amount=amount, remaining=amount,
                                      expires_at=timezone.now() + timedelta(days=expires_in_days), reason="test")
    if created_days_ago:
        PointEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=created_days_ago))
    return entry
