from django.urls import path

from marketing.views import shop

urlpatterns = [
    path("coupons/", shop.coupon_zone, name="coupon_zone"),
    path("coupons/redeem/", shop.coupon_redeem, name="coupon_redeem"),
    path("coupons/<int:coupon_id>/download/", shop.coupon_download, name="coupon_download"),
    path("mypage/coupons/", shop.coupon_box, name="coupon_box"),
    path("mypage/points/", shop.points, name="points"),
]
