"""Console bulk moves: a page of ticked lines at once, or every line a search found in Celery.

Either way each line moves in its own transaction (``fulfilment.for_each_line``) and the
shopper hears once per order and event (``fulfilment.notify_per_order``), never once per line.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.exceptions import OrderError
from orders.models import BulkLineJob, BulkLineResult, OrderLine

from . import fulfilment

logger = logging.getLogger(__name__)

S = OrderLine.Status

# action → (service, statuses it starts from, the event the shopper hears of, if any)
BULK_MOVES = {
    "acknowledge": (fulfilment.acknowledge_line, {S.PAID}, ""),
    "ship": (fulfilment.mark_shipped, {S.READY_TO_SHIP}, "line.shipped"),
    "deliver": (fulfilment.mark_delivered, {S.SHIPPING}, "line.delivered"),
    # 발송지연 for many lines: one new date and reason; register_delay checks each line again
    "delay": (fulfilment.register_delay, {S.PAID, S.PREPARING}, "line.delayed"),
}
CHUNK_SIZE = 200
MAX_JOB_LINES = 100_000


def delay_params(params: dict | None) -> dict:
    """A bulk delay's new date, reason and note, checked before any line moves (OrderError if wrong).

    The date is bounded like the one-line delay: after today, at most DISPATCH_DELAY_MAX_DAYS ahead."""
    from datetime import date, timedelta

    from django.conf import settings

    params = params or {}
    if params.get("reason_code") not in fulfilment.DELAY_REASONS:
        raise OrderError(_("Choose a delay reason."), code="reason")
    try:
        new_ship_by = date.fromisoformat(str(params.get("new_ship_by", "")))
    except ValueError:
        raise OrderError(_("Enter the new ship-by date."), code="date") from None
    today = timezone.localdate()
    if new_ship_by <= today:
        raise OrderError(_("The new ship-by date must be in the future."), code="date")
    if new_ship_by > today + timedelta(days=settings.DISPATCH_DELAY_MAX_DAYS):
        raise OrderError(_("Choose a date at most %(days)d days from today.") % {
            "days": settings.DISPATCH_DELAY_MAX_DAYS}, code="date")
    return {"new_ship_by": new_ship_by, "reason_code": params["reason_code"],
            "note": str(params.get("note", ""))[:200]}


def _action_kwargs(action: str, params: dict | None) -> dict:
    return delay_params(params) if action == "delay" else {}


def run_bulk_action(*, action: str, line_ids, actor, params: dict | None = None) -> list[fulfilment.LineResult]:
    """Move ``line_ids`` with ``action``; one message per order for the lines that moved.

    ``params`` carries what the action needs besides the lines (a delay: ``new_ship_by`` as an ISO
    date, ``reason_code``, ``note``); raises OrderError, moving nothing, when they are wrong."""
    service, _starts, event = BULK_MOVES[action]
    extra = {"notify_shopper": False} if event else {}
    extra.update(_action_kwargs(action, params))
    results = fulfilment.for_each_line(line_ids, service, actor=actor, **extra)
    moved = [result.line_id for result in results if result.ok]
    if event and moved:
        fulfilment.notify_per_order(event=event, line_ids=moved)
    return results


def _search_kwargs(query: str) -> dict | None:
    from orders.forms_console import OrderLineSearchForm

    form = OrderLineSearchForm(QueryDict(query))
    return form.selector_kwargs() if form.is_valid() else None


def lines_for_job(*, action: str, query: str):
    """The ids a job on this search would move: the search's lines that this action starts from."""
    from orders.selectors import search_console_lines

    search = _search_kwargs(query)
    if search is None:
        raise OrderError(_("The search is not valid any more. Search again."), code="search")
    _service, starts, _event = BULK_MOVES[action]
    return search_console_lines(**search).filter(status__in=starts).order_by("id").values_list("pk", flat=True)


@transaction.atomic
def start_bulk_job(*, action: str, query: str, actor, params: dict | None = None) -> BulkLineJob:
    """Record a job for every line of the search ``query`` that ``action`` applies to; the caller
    queues ``run_bulk_job`` after commit. Raises OrderError when nothing or too much would move."""
    if action not in BULK_MOVES:
        raise OrderError(_("Choose an action."), code="action")
    if not (actor.is_staff and actor.has_perm("orders.manage_fulfilment")):
        raise OrderError(_("You may not change these order lines."), code="forbidden")
    _action_kwargs(action, params)  # a wrong date or reason is refused before the job exists
    total = lines_for_job(action=action, query=query)[:MAX_JOB_LINES + 1].count()
    if total == 0:
        raise OrderError(_("No line of this search can take this action."), code="empty")
    if total > MAX_JOB_LINES:
        raise OrderError(_("More than %(count)s lines: narrow the search.") % {"count": f"{MAX_JOB_LINES:,}"},
                         code="too_many")
    return BulkLineJob.objects.create(owner=actor, action=action, query=query[:2000], total=total,
                                      params=params or {})


def run_bulk_job(*, job_id: int) -> BulkLineJob:
    """Do a job in chunks, recording each line's result and the progress. Safe to deliver twice
    (only a QUEUED or FAILED job is claimed); a failed job run again skips the lines it reported."""
    # Claimed once: a task delivered twice finds the job RUNNING (or DONE) and leaves it alone.
    claimed = BulkLineJob.objects.filter(pk=job_id, status__in=[BulkLineJob.Status.QUEUED,
                                                               BulkLineJob.Status.FAILED])
    if not claimed.update(status=BulkLineJob.Status.RUNNING):
        return BulkLineJob.objects.get(pk=job_id)
    job = BulkLineJob.objects.select_related("owner").get(pk=job_id)
    try:
        _action_kwargs(job.action, job.params)  # a delay date that passed since the job was queued
        ids = list(lines_for_job(action=job.action, query=job.query)[:MAX_JOB_LINES])
    except OrderError as error:
        BulkLineJob.objects.filter(pk=job.pk).update(status=BulkLineJob.Status.FAILED, message=error.message[:300],
                                                     finished_at=timezone.now())
        return BulkLineJob.objects.get(pk=job.pk)
    reported = set(BulkLineResult.objects.filter(job=job).values_list("line_id", flat=True))
    ids = [line_id for line_id in ids if line_id not in reported]
    # Lines that left the action's start status since the job was queued are not in ``ids``: the
    # total is what is left to do plus what was already done.
    BulkLineJob.objects.filter(pk=job.pk).update(total=len(ids) + len(reported))
    try:
        for start in range(0, len(ids), CHUNK_SIZE):
            _run_chunk(job, ids[start:start + CHUNK_SIZE])
    except Exception as error:  # recorded for the operator; running the job again resumes it
        logger.exception("bulk job %s failed", job.pk)
        BulkLineJob.objects.filter(pk=job.pk).update(status=BulkLineJob.Status.FAILED,
                                                     message=str(error)[:300], finished_at=timezone.now())
        return BulkLineJob.objects.get(pk=job.pk)
    BulkLineJob.objects.filter(pk=job.pk).update(status=BulkLineJob.Status.DONE, finished_at=timezone.now())
    logger.info("bulk job %s (%s) done: %s lines", job.pk, job.action, len(ids))
    return BulkLineJob.objects.get(pk=job.pk)


def _run_chunk(job: BulkLineJob, chunk: list[int]) -> None:
    results = run_bulk_action(action=job.action, line_ids=chunk, actor=job.owner, params=job.params)
    BulkLineResult.objects.bulk_create(
        [BulkLineResult(job=job, line_id=result.line_id, ok=result.ok, message=result.message[:300])
         for result in results], ignore_conflicts=True)
    succeeded = sum(1 for result in results if result.ok)
    BulkLineJob.objects.filter(pk=job.pk).update(done=F("done") + len(results), succeeded=F("succeeded") + succeeded,
                                                 refused=F("refused") + len(results) - succeeded)
