from django.urls import path

from marketing.views import console

app_name = "marketing"

urlpatterns = [
    path("coupons/", console.coupon_list, name="coupon_list"),
    path("coupons/new/", console.coupon_create, name="coupon_create"),
    path("coupons/products.json", console.product_search, name="product_search"),
    path("coupons/<int:coupon_id>/", console.coupon_detail, name="coupon_detail"),
    path("coupons/<int:coupon_id>/status/", console.coupon_status, name="coupon_status"),
    path("coupons/<int:coupon_id>/issue/", console.coupon_issue, name="coupon_issue"),
    path("points/", console.points, name="points"),
    path("points/<int:user_id>/adjust/", console.points_adjust, name="points_adjust"),
]
