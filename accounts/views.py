"""Shopper account pages: sign-up, login, password, my page and the address book.

Views are thin: a form, one service, a message, a redirect (POST-redirect-GET).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.exceptions import AccountError
from accounts.forms import AddressForm, EmailAuthenticationForm, SignUpForm
from accounts.models import Address


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` URL of the request if it stays on this site, else ''."""
    from core.http import safe_next_url

    return safe_next_url(request, "")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    # False on purpose: a shopper sent here by a staff-only page must not bounce back and forth.
    redirect_authenticated_user = False

    def get_default_redirect_url(self):
        """Without a ``next``: operators land on the console, everyone else on the shop."""
        from accounts.roles import is_operator

        if is_operator(self.request.user):
            return resolve_url("console:home")
        return super().get_default_redirect_url()


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link cannot log anyone out."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have been logged out."))
        return response


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:mypage")
    next_url = _safe_next(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.sign_up(
                email=data["email"],
                password=data["password1"],
                name=data["name"],
                phone=data["phone"],
                agreed_to_terms=data["agree_terms"],
                marketing_opt_in=data["marketing_opt_in"],
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(name)s! Your account is ready.") % {"name": user.name})
            return redirect(next_url or "accounts:mypage")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
def mypage(request: HttpRequest) -> HttpResponse:
    from orders.selectors import count_lines_by_status_for_shopper

    default_address = selectors.get_default_address(user=request.user)
    return render(request, "accounts/mypage.html", {
        "default_address": default_address,
        "order_steps": count_lines_by_status_for_shopper(user=request.user),
    })


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:mypage")
    success_message = gettext_lazy("Your password has been changed.")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "mail/password_reset.txt"
    html_email_template_name = "mail/password_reset.html"
    subject_template_name = "mail/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"shop_name": settings.SHOP_NAME}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever could read the mail owns the account: earlier failed logins no longer count.
        services.clear_login_lockout(email=form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Address book ------------------------------------------------------------------------


def _own_address(request: HttpRequest, address_id: int) -> Address:
    try:
        return selectors.get_address_for_user(user=request.user, address_id=address_id)
    except Address.DoesNotExist as error:
        raise Http404 from error


def _address_arguments(form: AddressForm) -> dict:
    data = dict(form.cleaned_data)
    data["is_default"] = bool(data.get("is_default"))
    return data


@login_required
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = list(selectors.list_addresses_for_user(user=request.user))
    return render(
        request,
        "accounts/address_list.html",
        {"addresses": addresses, "limit": services.ADDRESS_BOOK_LIMIT, "next": _safe_next(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def address_create(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_address(user=request.user, **_address_arguments(form))
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The address has been saved."))
            return redirect(next_url or "accounts:address_list")
    return render(request, "accounts/address_form.html", {"form": form, "is_new": True, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def address_update(request: HttpRequest, address_id: int) -> HttpResponse:
    address = _own_address(request, address_id)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_address(user=request.user, address_id=address.pk, **_address_arguments(form))
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The address has been updated."))
            return redirect("accounts:address_list")
    return render(request, "accounts/address_form.html", {"form": form, "address": address, "is_new": False})


@login_required
@require_http_methods(["GET", "POST"])
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    address = _own_address(request, address_id)
    if request.method == "POST":
        services.delete_address(user=request.user, address_id=address.pk)
        messages.success(request, _("The address has been deleted."))
        return redirect("accounts:address_list")
    return render(request, "accounts/address_confirm_delete.html", {"address": address})


@login_required
@require_POST
def address_set_default(request: HttpRequest, address_id: int) -> HttpResponse:
    address = _own_address(request, address_id)
    services.set_default_address(user=request.user, address_id=address.pk)
    messages.success(request, _("Your default address has been changed."))
    return redirect(_safe_next(request) or resolve_url("accounts:address_list"))
