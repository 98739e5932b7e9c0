"""The seller's marketing programs (partner portal → Store → Marketing programs).

Two switches a seller's owner or manager sets, each audited (core.models.StatusChange on the seller,
field ``review_rewards`` / ``affiliate_program``, off → on or on → off):

- **Review rewards funded by the seller** (issue 12): reviews written while it is on are paid by the
  seller (``Review.reward_funder`` is fixed when the review is written), charged in settlement as a
  ``review_reward`` ledger row. Reviews written before keep their funder.
- **Affiliate program** (issue 13): orders placed while the seller is a member bear the affiliate fee
  (an ``affiliate_fee`` ledger row); past orders keep who paid.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from core.models import StatusChange
from marketing.models import AffiliateProgramMembership, ReviewRewardOptIn
from marketing.services import affiliates


@dataclass(frozen=True)
class SellerPrograms:
    review_rewards: bool
    affiliate_program: bool
    affiliate_since: object = None


def seller_programs(seller) -> SellerPrograms:
    membership = AffiliateProgramMembership.objects.filter(seller=seller, left_at__isnull=True).first()
    return SellerPrograms(review_rewards=ReviewRewardOptIn.objects.filter(seller=seller).exists(),
                          affiliate_program=membership is not None,
                          affiliate_since=membership.joined_at if membership else None)


def _audit(seller, actor, field: str, was: bool, now: bool) -> None:
    StatusChange.objects.create(content_type=ContentType.objects.get_for_model(seller), object_id=seller.pk,
                                field=field, from_status="on" if was else "off", to_status="on" if now else "off",
                                actor=actor if getattr(actor, "pk", None) else None)


@transaction.atomic
def set_seller_programs(*, seller, actor, review_rewards: bool, affiliate_program: bool) -> SellerPrograms:
    """Turn the two programs on or off; only what changes is written and audited. The actor must be
    staff of the seller with the store's write right (owner or manager of an active seller)."""
    from partners.models import Seller
    from partners.portal import Area
    from partners.services import check_store_right

    check_store_right(actor, seller, Area.STORE)
    Seller.objects.select_for_update().filter(pk=seller.pk).first()  # one change at a time per seller
    before = seller_programs(seller)
    if review_rewards != before.review_rewards:
        if review_rewards:
            ReviewRewardOptIn.objects.get_or_create(seller=seller)
        else:
            ReviewRewardOptIn.objects.filter(seller=seller).delete()
        _audit(seller, actor, "review_rewards", before.review_rewards, review_rewards)
    if affiliate_program != before.affiliate_program:
        if affiliate_program:
            affiliates.join_affiliate_program(seller=seller, actor=actor, now=timezone.now())
        else:
            affiliates.leave_affiliate_program(seller=seller, actor=actor, now=timezone.now())
        _audit(seller, actor, "affiliate_program", before.affiliate_program, affiliate_program)
    return seller_programs(seller)
