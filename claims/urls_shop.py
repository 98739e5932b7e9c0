from django.urls import path

from claims.views import shop

urlpatterns = [
    path("claims/", shop.claim_list, name="claim_list"),
    path("claims/photos/<int:photo_id>/", shop.claim_photo, name="claim_photo"),
    path("claims/<str:number>/", shop.claim_detail, name="claim_detail"),
    path("claims/<str:number>/withdraw/", shop.claim_withdraw, name="claim_withdraw"),
    path("claims/<str:number>/convert/", shop.claim_convert, name="claim_convert"),
    path("claims/<str:number>/fee/", shop.claim_fee_pay, name="claim_fee_pay"),
    path("claims/<str:number>/fee/success/", shop.claim_fee_success, name="claim_fee_success"),
    path("claims/<str:number>/fee/fail/", shop.claim_fee_fail, name="claim_fee_fail"),
    path("orders/<str:number>/claims/<str:claim_type>/", shop.claim_request, name="claim_request"),
]
