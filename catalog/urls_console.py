from django.urls import path

from catalog.views import console

app_name = "catalog"

urlpatterns = [
    path("stock/import/", console.stock_import, name="stock_import"),
]
