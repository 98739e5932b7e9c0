from django.urls import path

from catalog.views import shop

app_name = "shop"

urlpatterns = [
    path("", shop.home, name="home"),
    path("category/<str:slug>/", shop.category, name="category"),
    path("search/", shop.search, name="search"),
    path("products/<int:product_id>/", shop.product_detail, name="product"),
    path("categories/", shop.categories, name="categories"),
]
