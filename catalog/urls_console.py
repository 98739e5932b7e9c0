from django.urls import path

from catalog.views import console

app_name = "catalog"

urlpatterns = [
    path("products/", console.product_list, name="product_list"),
    path("products/new/", console.product_create, name="product_create"),
    path("products/<int:product_id>/edit/", console.product_edit, name="product_edit"),
    path("products/review/", console.review_list, name="review_list"),
    path("products/review/setting/", console.review_setting, name="review_setting"),
    path("products/<int:product_id>/review/", console.review_decide, name="review_decide"),
    path("products/<int:product_id>/stock/", console.product_stock, name="product_stock"),
    path("products/<int:product_id>/stock/adjust/", console.stock_adjust, name="stock_adjust"),
    path("products/<int:product_id>/images/", console.product_images, name="product_images"),
    path("products/<int:product_id>/images/<int:image_id>/move/", console.product_image_move,
         name="product_image_move"),
    path("products/<int:product_id>/images/order/", console.product_image_order, name="product_image_order"),
    path("products/<int:product_id>/images/<int:image_id>/delete/", console.product_image_delete,
         name="product_image_delete"),
    path("products/excel/", console.excel_choose_seller, name="product_excel_choose_seller"),
    path("sellers/<int:seller_id>/excel/", console.excel_upload, name="product_excel"),
    path("sellers/<int:seller_id>/excel/template.xlsx", console.excel_template, name="product_excel_template"),
    path("sellers/<int:seller_id>/excel/bulk-edit.xlsx", console.excel_bulk_download,
         name="product_excel_bulk_download"),
    path("sellers/<int:seller_id>/excel/<str:reference>/", console.excel_preview, name="product_excel_preview"),
    path("sellers/<int:seller_id>/excel/<str:reference>/apply/", console.excel_apply, name="product_excel_apply"),
    path("sellers/<int:seller_id>/excel/<str:reference>/progress/", console.excel_progress,
         name="product_excel_progress"),
    path("sellers/<int:seller_id>/excel/<str:reference>/progress.json", console.excel_progress_json,
         name="product_excel_progress_json"),
    path("stock/import/", console.stock_import, name="stock_import"),
    path("stock/import/preview/", console.stock_import_preview, name="stock_import_preview"),
    path("stock/import/apply/", console.stock_import_apply, name="stock_import_apply"),
    path("stock/import/template.xlsx", console.stock_import_template, name="stock_import_template"),
]
