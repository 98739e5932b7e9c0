from datetime import timedelta

from celery import shared_task


@shared_task(name="marketing.expire_points", ignore_result=True)
def expire_points() -> int:
    from marketing.services.points import expire_points as expire

    return expire()


@shared_task(name="marketing.expire_coupons", ignore_result=True)
def expire_coupons() -> int:
    from marketing.services.coupons import expire_issued_coupons

    return expire_issued_coupons()


@shared_task(name="marketing.voc_housekeeping", ignore_result=True)
def voc_housekeeping() -> dict:
    """Survey invitations for newly confirmed orders; review rewards of returned lines taken back."""
    from marketing.services.reviews import revoke_rewards_of_returned_lines
    from marketing.services.surveys import invite_confirmed_orders

    return {"invited": invite_confirmed_orders(), "revoked": revoke_rewards_of_returned_lines()}


@shared_task(name="marketing.flush_events", ignore_result=True)
def flush_events() -> int:
    """Write the Redis buffer of funnel events into the database in batches."""
    from marketing.funnel.writer import flush_buffer

    return flush_buffer()


@shared_task(name="marketing.accrue_affiliate_commissions", ignore_result=True)
def accrue_affiliate_commissions() -> int:
    from marketing.services.affiliates import accrue_commissions

    return accrue_commissions()


@shared_task(name="marketing.close_affiliate_month", ignore_result=True)
def close_affiliate_month() -> int:
    """Close last month once it is over (idempotent: statements are made once per month)."""
    from django.utils import timezone

    from marketing.services.affiliates import accrue_commissions, close_month, month_start

    today = timezone.localdate()
    last_month = month_start(month_start(today) - timedelta(days=1))
    accrue_commissions()
    return len(close_month(month=last_month))
