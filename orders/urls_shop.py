from django.urls import path

from orders.views import shop

urlpatterns = [
    path("cart/", shop.cart, name="cart"),
    path("cart/add/", shop.cart_add, name="cart_add"),
    path("cart/update/", shop.cart_update, name="cart_update"),
    path("checkout/", shop.checkout, name="checkout"),
    path("orders/", shop.order_list, name="order_list"),
    path("orders/<str:number>/", shop.order_detail, name="order_detail"),
    path("orders/<str:number>/complete/", shop.order_complete, name="order_complete"),
    path("orders/<str:number>/pay/", shop.order_pay, name="order_pay"),
    path("orders/<str:number>/cancel/", shop.order_cancel, name="order_cancel"),
    path("orders/<str:number>/deposit-refund/", shop.order_deposit_refund, name="order_deposit_refund"),
    path("orders/<str:number>/receipt/", shop.order_receipt, name="order_receipt"),
    path("orders/<str:number>/payment/success/", shop.payment_success, name="payment_success"),
    path("orders/<str:number>/payment/fail/", shop.payment_fail, name="payment_fail"),
    path("orders/<str:number>/lines/<int:line_id>/confirm/", shop.confirm_purchase, name="confirm_purchase"),
    path("payments/webhook/<str:gateway>/", shop.payment_webhook, name="payment_webhook"),
]
