"""The partner portal (판매자 센터) at /partner/: thin views over the partners services."""

from django.shortcuts import render

from ..portal import Area, portal_view, staff_of


@portal_view(Area.DASHBOARD)
def dashboard(request):
    return render(request, "partner/dashboard.html", {})


def apply(request):
    """Where a signed-in person who is not a seller's staff is sent (the application form)."""
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "partner/apply.html", {"staff": staff_of(request.user)})
