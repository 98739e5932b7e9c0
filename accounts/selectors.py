"""Reads for accounts, always scoped to the shopper who asks."""

from django.db.models import QuerySet

from accounts.models import Address, User


def list_addresses_for_user(*, user: User) -> QuerySet[Address]:
    """The shopper's address book: the default first, then the most recently updated."""
    return Address.objects.filter(user=user).order_by("-is_default", "-updated_at", "-id")


def get_address_for_user(*, user: User, address_id: int) -> Address:
    """One of the shopper's own addresses; ``Address.DoesNotExist`` for anyone else's."""
    return Address.objects.get(pk=address_id, user=user)


def get_default_address(*, user: User) -> Address | None:
    return Address.objects.filter(user=user, is_default=True).first()
