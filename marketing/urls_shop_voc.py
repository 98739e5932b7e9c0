from django.urls import path

from marketing.views import voc_shop

urlpatterns = [
    path("products/<int:product_id>/reviews/", voc_shop.product_reviews, name="product_reviews"),
    path("products/<int:product_id>/questions/", voc_shop.product_questions, name="product_questions"),
    path("reviews/<int:review_id>/helpful/", voc_shop.review_helpful, name="review_helpful"),
    path("reviews/<int:review_id>/report/", voc_shop.review_report, name="review_report"),
    path("mypage/reviews/", voc_shop.my_reviews, name="my_reviews"),
    path("mypage/reviews/write/<int:line_id>/", voc_shop.write_review, name="write_review"),
    path("mypage/inquiries/", voc_shop.inquiry_list, name="inquiry_list"),
    path("mypage/inquiries/new/", voc_shop.inquiry_new, name="inquiry_new"),
    path("mypage/inquiries/<str:number>/", voc_shop.inquiry_detail, name="inquiry_detail"),
    path("inquiries/attachments/<int:attachment_id>/", voc_shop.inquiry_attachment, name="inquiry_attachment"),
    path("survey/<str:token>/", voc_shop.survey, name="survey"),
]
