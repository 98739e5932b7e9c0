"""Products in the seller portal, included under /partner/products/ in the ``partner`` namespace."""

from django.urls import path

from catalog.views import partner

urlpatterns = [
    path("", partner.product_list, name="product_list"),
    path("new/", partner.product_create, name="product_create"),
    path("<int:product_id>/", partner.product_edit, name="product_edit"),
    path("<int:product_id>/images/<int:image_id>/move/", partner.product_image_move, name="product_image_move"),
    path("<int:product_id>/images/order/", partner.product_image_order, name="product_image_order"),
    path("<int:product_id>/images/<int:image_id>/delete/", partner.product_image_delete,
         name="product_image_delete"),
    path("excel/", partner.excel_upload, name="product_excel"),
    path("excel/template.xlsx", partner.excel_template, name="product_excel_template"),
    path("excel/bulk-edit.xlsx", partner.excel_bulk_download, name="product_excel_bulk_download"),
    path("excel/<str:reference>/", partner.excel_preview, name="product_excel_preview"),
    path("excel/<str:reference>/apply/", partner.excel_apply, name="product_excel_apply"),
    path("excel/<str:reference>/progress/", partner.excel_progress, name="product_excel_progress"),
    path("excel/<str:reference>/progress.json", partner.excel_progress_json, name="product_excel_progress_json"),
]
