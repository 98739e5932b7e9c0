from django.urls import path, register_converter

from orders.views import console


class WaybillReferenceConverter:
    """An upload reference as new_reference() makes it (WB-20260101-0123456789): anything else is a 404
    before it reaches a cache key (spaces and control characters there raise CacheKeyWarning)."""

    regex = r"WB-[0-9]{8}-[0-9a-f]{10}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(WaybillReferenceConverter, "waybill_reference")

app_name = "orders"

urlpatterns = [
    path("", console.line_list, name="line_list"),
    path("bulk/", console.bulk_action, name="bulk_action"),
    path("bulk/jobs/", console.bulk_job_start, name="bulk_job_start"),
    path("bulk/jobs/<int:job_id>/", console.bulk_job, name="bulk_job"),
    path("bulk/jobs/<int:job_id>/progress.json", console.bulk_job_progress, name="bulk_job_progress"),
    path("bulk/jobs/<int:job_id>/report.csv", console.bulk_job_report, name="bulk_job_report"),
    path("lines/<int:line_id>/waybill/", console.set_waybill, name="set_waybill"),
    path("lines/<int:line_id>/delay/", console.register_delay, name="register_delay"),
    path("lines/<int:line_id>/backorder/", console.backorder, name="backorder"),
    path("lines/<int:line_id>/cancel-for-stock/", console.cancel_for_stock, name="cancel_for_stock"),
    path("waybills/", console.waybill_upload, name="waybill_upload"),
    path("waybills/download.xlsx", console.waybill_download, name="waybill_download"),
    path("waybills/<waybill_reference:reference>/", console.waybill_preview, name="waybill_preview"),
    path("waybills/<waybill_reference:reference>/apply/", console.waybill_apply, name="waybill_apply"),
    path("waybills/<waybill_reference:reference>/progress/", console.waybill_progress, name="waybill_progress"),
    path("waybills/<waybill_reference:reference>/progress.json", console.waybill_progress_json, name="waybill_progress_json"),
    path("deposits-after-cancel/", console.deposits_after_cancel, name="deposits_after_cancel"),
    path("<str:number>/", console.order_detail, name="order_detail"),
    path("<str:number>/memo/", console.add_memo, name="add_memo"),
]
