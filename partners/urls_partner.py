"""The partner portal (/partner/). Each app adds its portal pages with an include here.

Every pattern's id kwargs are scoped to the signed-in person's seller; tests/partners/
test_isolation.py enumerates them all (add a factory to its registry for a new kwarg name).
"""

from django.urls import include, path

from .views import claims as claim_views
from .views import orders as order_views
from .views import partner as views

app_name = "partner"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("", views.dashboard, name="home"),  # the name core.management.commands.demo_logins asks for
    path("apply/", views.apply, name="apply"),
    path("voc/", include("marketing.urls_partner_voc", namespace="voc")),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    # Store settings and staff
    path("store/", views.store, name="store"),
    path("store/shipping/", views.shipping, name="shipping"),
    path("store/holidays/", views.holidays, name="holidays"),
    path("store/holidays/<int:holiday_id>/delete/", views.holiday_delete, name="holiday_delete"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:staff_id>/role/", views.staff_role, name="staff_role"),
    path("staff/<int:staff_id>/remove/", views.staff_remove, name="staff_remove"),
    path("staff/invitations/<int:invitation_id>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    # Orders and shipping
    path("orders/", order_views.line_list, name="line_list"),
    path("orders/acknowledge/", order_views.bulk_acknowledge, name="bulk_acknowledge"),
    path("orders/<int:line_id>/", order_views.line_detail, name="line_detail"),
    path("orders/<int:line_id>/acknowledge/", order_views.acknowledge, name="acknowledge"),
    path("orders/<int:line_id>/waybill/", order_views.set_waybill, name="set_waybill"),
    path("orders/<int:line_id>/ship/", order_views.mark_shipped, name="mark_shipped"),
    path("orders/<int:line_id>/delay/", order_views.register_delay, name="register_delay"),
    path("orders/<int:line_id>/backorder/", order_views.backorder, name="backorder"),
    path("orders/<int:line_id>/cancel-for-stock/", order_views.cancel_for_stock, name="cancel_for_stock"),
    path("orders/waybills/download/", order_views.waybill_download, name="waybill_download"),
    path("orders/waybills/upload/", order_views.waybill_upload, name="waybill_upload"),
    path("orders/waybills/<str:reference>/", order_views.waybill_preview, name="waybill_preview"),
    path("orders/waybills/<str:reference>/apply/", order_views.waybill_apply, name="waybill_apply"),
    # Claims on the seller's lines
    path("claims/", claim_views.claim_list, name="claim_list"),
    path("claims/<int:claim_id>/", claim_views.claim_detail, name="claim_detail"),
    path("claims/<int:claim_id>/memo/", claim_views.claim_memo, name="claim_memo"),
    path("claims/<int:claim_id>/<str:step>/", claim_views.claim_step, name="claim_step"),
    # Messages, penalties, stock alerts
    path("messages/", views.message_list, name="messages"),
    path("penalties/", views.penalties, name="penalties"),
    path("stock/low/", views.low_stock, name="low_stock"),
    path("products/", include("catalog.urls_partner")),
    path("", include("marketing.urls_partner")),
    path("settlement/", include("settlement.urls_partner")),
]
