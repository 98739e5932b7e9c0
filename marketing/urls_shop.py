from django.urls import path

from marketing.views import shop

urlpatterns = [
    path("coupons/", shop.coupon_zone, name="coupon_zone"),
    path("coupons/redeem/", shop.coupon_redeem, name="coupon_redeem"),
    path("coupons/<int:coupon_id>/download/", shop.coupon_download, name="coupon_download"),
    path("mypage/coupons/", shop.coupon_box, name="coupon_box"),
    path("mypage/points/", shop.points, name="points"),
]

# CMS pages, funnel endpoints and affiliates (marketing/views/cms_shop.py, affiliate_shop.py)
from marketing.views import affiliate_shop, cms_shop  # noqa: E402

urlpatterns += [
    path("exhibitions/", cms_shop.exhibition_list, name="exhibition_list"),
    path("exhibitions/<slug:slug>/", cms_shop.exhibition_detail, name="exhibition_detail"),
    path("notices/", cms_shop.notice_list, name="notice_list"),
    path("notices/<int:notice_id>/", cms_shop.notice_detail, name="notice_detail"),
    path("faq/", cms_shop.faq, name="faq"),
    path("e/", cms_shop.ping, name="funnel_ping"),
    path("e/p/<str:kind>/<int:object_id>/", cms_shop.promotion_click, name="promotion_click"),
    path("e/consent/", cms_shop.tracking_opt_out, name="tracking_consent"),
    path("r/<str:code>", cms_shop.affiliate_redirect, name="affiliate_redirect"),
    path("affiliate/", affiliate_shop.affiliate_home, name="affiliate_home"),
    path("affiliate/links/", affiliate_shop.affiliate_link_create, name="affiliate_link_create"),
]
