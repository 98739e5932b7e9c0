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
