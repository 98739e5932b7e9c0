"""Reads about sellers, scoped by who asks."""

from django.db.models import QuerySet

from partners.models import Seller, SellerStaff


def get_seller_for_user(*, user) -> Seller | None:
    """The seller this user works for (with its shipping policy), or None for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return None
    staff = (
        SellerStaff.objects.select_related("seller", "seller__shipping_policy")
        .filter(user_id=user.pk)
        .first()
    )
    return staff.seller if staff else None


def get_seller_staff(*, user, seller: Seller) -> SellerStaff | None:
    """The user's staff membership of this seller, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return SellerStaff.objects.filter(user_id=user.pk, seller=seller).first()


def list_sellers(*, status: str | None = None) -> QuerySet[Seller]:
    """Sellers for the operator console, newest applications first when filtered by status."""
    sellers = Seller.objects.select_related("shipping_policy")
    if status:
        sellers = sellers.filter(status=status).order_by("-created_at")
    return sellers
