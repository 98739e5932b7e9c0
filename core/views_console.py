"""The console's home (dashboard) and the access check every console page uses."""

from functools import wraps

from django.contrib.auth.decorators import user_passes_test
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts.roles import is_operator

operator_required = user_passes_test(is_operator, login_url="accounts:login")


def console_permission_required(*permissions: str):
    """Login (else the login page), active staff with every permission named (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.is_staff and user.has_perms(permissions)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@console_permission_required()
def console_home(request):
    """Today's work by status, one aggregate query; each card links to its list."""
    context = {}
    if request.user.has_perm("orders.view_order"):
        from orders.selectors import get_console_dashboard_counts

        context["counts"] = get_console_dashboard_counts()
    if request.user.has_perm("claims.view_claim"):
        from claims.selectors import count_claims_waiting

        context["claims_waiting"] = count_claims_waiting()
    return render(request, "console/home.html", context)
