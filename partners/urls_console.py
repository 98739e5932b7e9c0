"""Seller applications and sellers in the console (/console/sellers/)."""

from django.urls import path

from .views import console as views

app_name = "sellers"

urlpatterns = [
    path("", views.seller_list, name="list"),
    path("<int:seller_id>/", views.seller_detail, name="detail"),
    path("<int:seller_id>/documents/<int:document_id>/", views.seller_document, name="document"),
    path("<int:seller_id>/review/", views.seller_review, name="review"),
    path("<int:seller_id>/approve/", views.seller_approve, name="approve"),
    path("<int:seller_id>/reject/", views.seller_reject, name="reject"),
    path("<int:seller_id>/suspend/", views.seller_suspend, name="suspend"),
    path("<int:seller_id>/reinstate/", views.seller_reinstate, name="reinstate"),
]
