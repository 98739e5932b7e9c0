"""Payment gateways (PG). One interface, implementations chosen by ``settings.PAYMENT_GATEWAY``."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import GatewayError, PaymentGateway, PGCancel, PGPayment, PGStatus, RefundAccount, WebhookEvent


def get_gateway(name: str | None = None) -> PaymentGateway:
    name = name or settings.PAYMENT_GATEWAY
    return import_string(settings.PAYMENT_GATEWAYS[name])()


__all__ = ["GatewayError", "PGCancel", "PGPayment", "PGStatus", "PaymentGateway", "RefundAccount", "WebhookEvent",
           "get_gateway"]
