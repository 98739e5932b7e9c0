"""Freeze an order's source when it is placed (receiver of ``orders.signals.order_placed``).

Last touch: the latest non-direct touch within ``ATTRIBUTION_WINDOW_DAYS`` (default 7) among
the visitor's cookie (``mo_src``, current even while events wait in the buffer) and the visits
recorded for the shopper's account (another device). First touch: the earliest known of both.
An order with no non-direct touch in the window is direct (empty source).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from marketing.funnel.middleware import current_visit
from marketing.models_funnel import OrderAttribution, Visit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Touch:
    at: datetime
    source: str = ""
    medium: str = ""
    campaign: str = ""
    content: str = ""
    term: str = ""
    click_id_kind: str = ""


def touch_from_row(row) -> Touch | None:
    if not row:
        return None
    try:
        at = datetime.fromtimestamp(float(row[0]), tz=timezone.get_current_timezone())
    except (TypeError, ValueError, IndexError):
        return None
    fields = [str(part or "") for part in list(row[1:7]) + [""] * (6 - len(row[1:7]))]
    return Touch(at, *fields)


def touch_from_visit(visit: Visit) -> Touch:
    return Touch(visit.started_at, visit.source, visit.medium, visit.campaign, visit.content, visit.term,
                 visit.click_id_kind)


def choose_touches(*, candidates_last: list[Touch], candidates_first: list[Touch], now: datetime,
                   window_days: int) -> tuple[Touch | None, Touch | None]:
    """(last non-direct touch within the window, first touch) from the candidates."""
    since = now - timedelta(days=window_days)
    in_window = [touch for touch in candidates_last if touch and touch.source and since <= touch.at <= now]
    last = max(in_window, key=lambda touch: touch.at) if in_window else None
    firsts = [touch for touch in candidates_first if touch and touch.at <= now]
    first = min(firsts, key=lambda touch: touch.at) if firsts else None
    return last, first


def attribute_order(*, order, state=None, now: datetime | None = None) -> OrderAttribution:
    """Compute and store the order's attribution (once: a second call returns the first row)."""
    existing = OrderAttribution.objects.filter(order=order).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    window = getattr(settings, "ATTRIBUTION_WINDOW_DAYS", 7)
    candidates_last, candidates_first = [], []
    if state is not None:
        candidates_last.append(touch_from_row(state.last_touch))
        candidates_first.append(touch_from_row(state.first_touch))
    visits = Visit.objects.filter(user_id=order.user_id)
    recent = visits.filter(started_at__gte=now - timedelta(days=window)).exclude(source="").order_by(
        "-started_at").first()
    earliest = visits.order_by("started_at").first()
    if recent is not None:
        candidates_last.append(touch_from_visit(recent))
    if earliest is not None:
        candidates_first.append(touch_from_visit(earliest))
    last, first = choose_touches(candidates_last=[t for t in candidates_last if t],
                                 candidates_first=[t for t in candidates_first if t], now=now, window_days=window)
    return OrderAttribution.objects.create(
        order=order,
        session_id=state.session_id if state is not None else "",
        visitor_id=state.visitor_id if state is not None else "",
        device=state.device if state is not None else "",
        source=last.source if last else "", medium=last.medium if last else "",
        campaign=last.campaign if last else "", content=last.content if last else "",
        term=last.term if last else "", click_id_kind=last.click_id_kind if last else "",
        touched_at=last.at if last else None,
        first_source=first.source if first else "", first_medium=first.medium if first else "",
        first_campaign=first.campaign if first else "", first_touched_at=first.at if first else None,
    )


def on_order_placed(sender, order, lines=(), **kwargs) -> None:
    """Attribution, the purchase event and the affiliate's claim, never failing the order."""
    state = current_visit.get()
    try:
        with transaction.atomic():
            attribute_order(order=order, state=state)
            from marketing.services.affiliates import attribute_affiliate_order

            attribute_affiliate_order(order=order, state=state)
    except Exception:
        logger.exception("marketing: could not attribute order %s", order.pk)
    if state is not None:
        event = {"kind": "event", "name": "purchase", **state.base(), "user_id": order.user_id,
                 "order_id": order.pk, "value_amount": order.total_amount, "path": ""}
        state.records.append(event)


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """Tie the current session to the account (device switches then find it by user)."""
    state = getattr(request, "funnel", None)
    if state is None:
        return
    state.records.append({"kind": "login", "session_id": state.session_id, "user_id": user.pk})
    state.records.append({"kind": "event", "name": "login", **state.base(), "user_id": user.pk})

