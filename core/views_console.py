from django.contrib.auth.decorators import user_passes_test
from django.shortcuts import render

from accounts.roles import is_operator

operator_required = user_passes_test(is_operator, login_url="accounts:login")


@operator_required
def console_home(request):
    return render(request, "console/home.html", {})
