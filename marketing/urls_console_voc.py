from django.urls import path

from marketing.views import voc_console

app_name = "voc"

urlpatterns = [
    path("reviews/", voc_console.review_list, name="review_list"),
    path("reviews/<int:review_id>/visibility/", voc_console.review_visibility, name="review_visibility"),
    path("questions/", voc_console.question_list, name="question_list"),
    path("questions/<int:question_id>/answer/", voc_console.question_answer, name="question_answer"),
    path("inquiries/", voc_console.inquiry_list, name="inquiry_list"),
    path("inquiries/<int:inquiry_id>/", voc_console.inquiry_detail, name="inquiry_detail"),
    path("answer-templates/", voc_console.answer_templates, name="answer_templates"),
    path("survey/", voc_console.survey_report, name="survey_report"),
]
