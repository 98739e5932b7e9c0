from celery import shared_task

from orders.payments import GatewayError


@shared_task(name="orders.process_payment_event", bind=True, max_retries=10, ignore_result=True)
def process_payment_event(self, event_id: int) -> str:
    """Apply a stored PG callback (re-fetching the payment); retried with back-off if the PG is down."""
    from orders.services import process_payment_event as process

    try:
        return process(event_id=event_id)
    except GatewayError as exc:
        raise self.retry(exc=exc, countdown=min(600, 5 * 2 ** self.request.retries)) from exc


@shared_task(name="orders.process_pending_payment_events", ignore_result=True)
def process_pending_payment_events() -> int:
    """Sweep: callbacks stored while the broker was down, or whose task gave up."""
    from orders.models import PaymentEvent
    from orders.services import process_payment_event as process

    count = 0
    for event_id in PaymentEvent.objects.filter(status=PaymentEvent.Status.RECEIVED).values_list("pk", flat=True)[:200]:
        try:
            process(event_id=event_id)
            count += 1
        except GatewayError:
            continue
    return count


@shared_task(name="orders.expire_unpaid_orders", ignore_result=True)
def expire_unpaid_orders() -> int:
    from orders.services import expire_unpaid_orders as expire

    return expire()


@shared_task(name="orders.deliver_sandbox_callback", bind=True, max_retries=12, ignore_result=True)
def deliver_sandbox_callback(self, callback_id: int) -> bool:
    """The sandbox PG's callback sender: retried with exponential back-off until the shop answers 200."""
    from orders.payments.sandbox import deliver_callback

    if deliver_callback(callback_id):
        return True
    if self.app.conf.task_always_eager:
        return False  # embedded mode: the beat-less sweep below is triggered from the sandbox page
    raise self.retry(countdown=min(3600, 2 ** (self.request.retries + 1)))


@shared_task(name="orders.retry_sandbox_callbacks", ignore_result=True)
def retry_sandbox_callbacks() -> int:
    from django.utils import timezone

    from orders.models import SandboxPGCallback
    from orders.payments.sandbox import deliver_callback

    delivered = 0
    due = SandboxPGCallback.objects.filter(delivered=False, attempts__lt=15, next_attempt_at__lte=timezone.now())
    for callback_id in due.values_list("pk", flat=True)[:100]:
        delivered += deliver_callback(callback_id)
    return delivered


@shared_task(name="orders.auto_confirm_purchases", ignore_result=True)
def auto_confirm_purchases() -> int:
    from orders.services.fulfilment import auto_confirm_purchases as confirm

    return confirm()


@shared_task(name="orders.sync_deliveries", ignore_result=True)
def sync_deliveries() -> int:
    from orders.tracking import sync_deliveries as sync

    return sync()


@shared_task(name="orders.validate_waybill_import", ignore_result=True)
def validate_waybill_import(reference: str) -> int:
    """Validate a large waybill upload (the preview page polls its progress)."""
    from orders.services.waybills import run_validation

    summary = run_validation(reference=reference)
    return 0 if summary is None else len(summary.rows)


@shared_task(name="orders.apply_waybill_import", ignore_result=True)
def apply_waybill_import(reference: str, actor_id: int) -> int:
    """Apply a validated large waybill upload in one transaction; idempotent (applied once)."""
    from django.contrib.auth import get_user_model

    from orders.services.waybills import run_apply

    actor = get_user_model().objects.filter(pk=actor_id).first()
    result = run_apply(reference=reference, actor=actor)
    return 0 if result is None else result.applied


@shared_task(name="orders.run_bulk_line_job", ignore_result=True)
def run_bulk_line_job(job_id: int) -> int:
    """A console "select all N results" bulk move; idempotent (each line once)."""
    from orders.services.bulk import run_bulk_job

    return run_bulk_job(job_id=job_id).done


@shared_task(name="orders.refund_deposit_after_cancel", ignore_result=True)
def refund_deposit_after_cancel(deposit_id: int) -> None:
    """Refund money captured for an order already ended unpaid (no account needed: card-like)."""
    from orders.exceptions import PaymentError
    from orders.services.late_deposits import refund_deposit_after_cancel as refund

    try:
        refund(deposit_id=deposit_id)
    except PaymentError:
        pass  # recorded as refund failed (or needing an account): the console list retries it
