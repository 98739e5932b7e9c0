from celery import shared_task


@shared_task(name="marketing.expire_points", ignore_result=True)
def expire_points() -> int:
    from marketing.services.points import expire_points as expire

    return expire()


@shared_task(name="marketing.expire_coupons", ignore_result=True)
def expire_coupons() -> int:
    from marketing.services.coupons import expire_issued_coupons

    return expire_issued_coupons()
