"""Delivery tracking through a provider chosen by ``settings.TRACKING_PROVIDER``.

- ``SandboxTrackingProvider``: no network; a parcel counts as delivered
  TRACKING_SANDBOX_DELIVERY_HOURS after it was shipped.
- ``SweetTrackerProvider``: the Smart Delivery (스마트택배, Sweet Tracker) API,
  GET /api/v1/trackingInfo?t_key=…&t_code=<courier code>&t_invoice=<waybill>, whose answer has
  ``complete`` (true once delivered) and ``trackingDetails`` [{timeString, where, kind}].
"""

import json
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

# Sweet Tracker's courier codes for our couriers.
SWEETTRACKER_CODES = {"cj": "04", "hanjin": "05", "lotte": "08", "epost": "01", "logen": "06", "kdexp": "23"}


@dataclass
class TrackingResult:
    delivered: bool
    events: list[dict] = field(default_factory=list)


class TrackingError(Exception):
    pass


class TrackingProvider:
    def track(self, *, line) -> TrackingResult:  # pragma: no cover - interface
        raise NotImplementedError


class SandboxTrackingProvider(TrackingProvider):
    def track(self, *, line) -> TrackingResult:
        if line.shipped_at is None:
            return TrackingResult(delivered=False)
        delivered = timezone.now() >= line.shipped_at + timedelta(hours=settings.TRACKING_SANDBOX_DELIVERY_HOURS)
        events = [{"time": line.shipped_at.isoformat(), "where": "집하", "kind": "집화처리"}]
        if delivered:
            events.append({"time": timezone.now().isoformat(), "where": "배송지", "kind": "배달완료"})
        return TrackingResult(delivered=delivered, events=events)


class SweetTrackerProvider(TrackingProvider):
    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, timeout: float = 5.0):
        self.api_key = api_key or settings.SWEETTRACKER_API_KEY
        self.base_url = (base_url or settings.SWEETTRACKER_BASE_URL).rstrip("/")
        self.timeout = timeout

    def track(self, *, line) -> TrackingResult:
        code = SWEETTRACKER_CODES.get(line.courier.code if line.courier_id else "")
        if not code:
            raise TrackingError(f"no tracking code for courier {line.courier_id}")
        query = urllib.parse.urlencode({"t_key": self.api_key, "t_code": code, "t_invoice": line.waybill_number})
        try:
            with urllib.request.urlopen(f"{self.base_url}/api/v1/trackingInfo?{query}", timeout=self.timeout) as r:
                data = json.loads(r.read())
        except Exception as exc:
            raise TrackingError(str(exc)) from exc
        if data.get("status") is False:
            raise TrackingError(data.get("msg", "tracking refused"))
        events = [{"time": d.get("timeString", ""), "where": d.get("where", ""), "kind": d.get("kind", "")}
                  for d in data.get("trackingDetails") or []]
        return TrackingResult(delivered=bool(data.get("complete")), events=events)


def tracking_provider() -> TrackingProvider:
    return import_string(settings.TRACKING_PROVIDER)()


def sync_deliveries(*, limit: int = 500) -> int:
    """Mark shipped lines delivered when the courier says so (Celery beat)."""
    from orders.models import OrderLine
    from orders.services.fulfilment import for_each_line, mark_delivered, notify_per_order

    provider = tracking_provider()
    delivered_ids = []
    for line in OrderLine.objects.filter(status=OrderLine.Status.SHIPPING).select_related("courier")[:limit]:
        try:
            if provider.track(line=line).delivered:
                delivered_ids.append(line.pk)
        except TrackingError:
            continue
    results = for_each_line(delivered_ids, lambda line_id: mark_delivered(
        line_id=line_id, reason="courier tracking", notify_shopper=False))
    delivered = [result.line_id for result in results if result.ok]
    if delivered:  # one "delivered" message per order, not one per line
        notify_per_order(event="line.delivered", line_ids=delivered)
    return len(delivered)
