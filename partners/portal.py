"""Who may use which part of the partner portal (/partner/).

Every portal view is wrapped in ``portal_view(area)``: anonymous users go to the login page, a
signed-in person who is not staff of an active (or suspended, read-only) seller is sent to the
application page, and a staff role without the area is refused with 403. The view receives the
seller on ``request.seller`` and the membership on ``request.seller_staff``; it must scope every
query by ``request.seller`` (another seller's object is a 404, never a 403, so ids leak nothing).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .models import Seller, SellerStaff

Role = SellerStaff.Role
# Sellers whose staff use the portal: active ones, and suspended ones (read-only, see ``can``).
# Applicants (applied, under review, rejected) see their application's status page instead.
PORTAL_STATUSES = (Seller.Status.ACTIVE, Seller.Status.SUSPENDED)


class Area:
    """The portal's parts; a role is the set of areas it may see (and, for some, change)."""

    DASHBOARD = "dashboard"
    PRODUCTS = "products"
    ORDERS = "orders"  # order lines, shipping, claims, customer questions
    SETTLEMENT = "settlement"
    STORE = "store"  # profile, shipping policies, holidays
    STAFF = "staff"


# area → roles that may SEE it; the second table: roles that may CHANGE things in it.
READ = {
    Area.DASHBOARD: {Role.OWNER, Role.MANAGER, Role.PRODUCTS, Role.ORDERS, Role.SETTLEMENT},
    Area.PRODUCTS: {Role.OWNER, Role.MANAGER, Role.PRODUCTS},
    Area.ORDERS: {Role.OWNER, Role.MANAGER, Role.ORDERS},
    Area.SETTLEMENT: {Role.OWNER, Role.MANAGER, Role.SETTLEMENT},
    Area.STORE: {Role.OWNER, Role.MANAGER},
    Area.STAFF: {Role.OWNER},
}
WRITE = {
    Area.DASHBOARD: set(),
    Area.PRODUCTS: {Role.OWNER, Role.MANAGER, Role.PRODUCTS},
    Area.ORDERS: {Role.OWNER, Role.MANAGER, Role.ORDERS},
    Area.SETTLEMENT: set(),  # statements are read-only for sellers
    Area.STORE: {Role.OWNER, Role.MANAGER},
    Area.STAFF: {Role.OWNER},
}


def staff_of(user) -> SellerStaff | None:
    """The person's membership (a person belongs to at most one seller), or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return SellerStaff.objects.select_related("seller").filter(user_id=user.pk).first()


def can(staff: SellerStaff | None, area: str, *, write: bool = False) -> bool:
    if staff is None:
        return False
    if write and staff.seller.status != Seller.Status.ACTIVE:
        return False  # a suspended (or not yet approved) seller can look but not act
    return staff.role in (WRITE if write else READ)[area]


def portal_view(area: str, *, write: bool | None = None):
    """Wrap a portal view. ``write=None`` means: POST needs the write right, GET the read right."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = staff_of(request.user)
            if staff is None or staff.seller.status not in PORTAL_STATUSES:
                return redirect("partner:apply")  # not staff, or the application is not approved yet
            needs_write = (request.method not in ("GET", "HEAD", "OPTIONS")) if write is None else write
            if not can(staff, area, write=needs_write):
                raise PermissionDenied
            request.seller = staff.seller
            request.seller_staff = staff
            return view(request, *args, **kwargs)

        # Read by the isolation test (tests/partners/test_isolation.py) to know each URL's area.
        wrapped.portal_area = area
        return wrapped

    return decorator
