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

# CMS, reports and affiliates (marketing/views/cms_console.py)
from marketing.views import cms_console  # noqa: E402

urlpatterns += [
    path("banners/", cms_console.banner_list, name="banner_list"),
    path("banners/new/", cms_console.banner_form, name="banner_create"),
    path("banners/<int:banner_id>/", cms_console.banner_form, name="banner_edit"),
    path("banners/<int:banner_id>/delete/", cms_console.banner_delete, name="banner_delete"),
    path("banners/<int:banner_id>/preview/", cms_console.banner_preview, name="banner_preview"),
    path("exhibitions/", cms_console.exhibition_list, name="exhibition_list"),
    path("exhibitions/new/", cms_console.exhibition_form, name="exhibition_create"),
    path("exhibitions/<int:exhibition_id>/", cms_console.exhibition_form, name="exhibition_edit"),
    path("exhibitions/<int:exhibition_id>/preview/", cms_console.exhibition_preview, name="exhibition_preview"),
    path("exhibitions/<int:exhibition_id>/sections/new/", cms_console.section_form, name="section_create"),
    path("exhibitions/<int:exhibition_id>/sections/<int:section_id>/", cms_console.section_form, name="section_edit"),
    path("exhibitions/<int:exhibition_id>/sections/<int:section_id>/delete/", cms_console.section_delete,
         name="section_delete"),
    path("notices/", cms_console.notice_list, name="notice_list"),
    path("notices/new/", cms_console.notice_form, name="notice_create"),
    path("notices/<int:notice_id>/", cms_console.notice_form, name="notice_edit"),
    path("faq/new/", cms_console.faq_form, name="faq_create"),
    path("faq/<int:faq_id>/", cms_console.faq_form, name="faq_edit"),
    path("reports/funnel/", cms_console.report_funnel, name="report_funnel"),
    path("reports/searches/", cms_console.report_searches, name="report_searches"),
    path("reports/promotions/", cms_console.report_promotions, name="report_promotions"),
    path("reports/cohorts/", cms_console.report_cohorts, name="report_cohorts"),
    path("affiliates/", cms_console.affiliate_list, name="affiliate_list"),
    path("affiliates/<int:affiliate_id>/", cms_console.affiliate_detail, name="affiliate_detail"),
    path("affiliates/<int:affiliate_id>/decide/", cms_console.affiliate_decide, name="affiliate_decide"),
    path("affiliates/rates/", cms_console.affiliate_rate, name="affiliate_rate"),
    path("affiliates/statements/", cms_console.affiliate_statements, name="affiliate_statements"),
    path("affiliates/statements/<int:year>-<int:month>.xlsx", cms_console.affiliate_payout_file,
         name="affiliate_payout_file"),
]
