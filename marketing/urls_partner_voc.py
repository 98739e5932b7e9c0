from django.urls import path

from marketing.views import voc_partner

app_name = "voc"

urlpatterns = [
    path("questions/", voc_partner.question_list, name="question_list"),
    path("questions/<int:question_id>/answer/", voc_partner.question_answer, name="question_answer"),
    path("answer-templates/", voc_partner.answer_templates, name="answer_templates"),
    path("reviews/", voc_partner.review_list, name="review_list"),
    path("reviews/<int:review_id>/reply/", voc_partner.review_reply, name="review_reply"),
    path("inquiries/", voc_partner.inquiry_list, name="inquiry_list"),
    path("inquiries/<int:inquiry_id>/", voc_partner.inquiry_detail, name="inquiry_detail"),
]
