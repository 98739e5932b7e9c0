"""The partner portal (판매자 센터) at /partner/: home, application, store settings, staff, messages,
penalties. Thin views over ``partners.services`` and ``partners.selectors``; every query is scoped by
``request.seller`` (set by ``portal_view``), so another seller's id is a 404."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from orders.models import OrderLine

from .. import selectors, services
from ..forms import (
    FullApplicationForm,
    HolidayForm,
    InviteStaffForm,
    PortalShippingPolicyForm,
    SellerProfileForm,
    StaffRoleForm,
)
from ..models import Seller, SellerDocument, SellerInvitation, SellerStaff
from ..penalties import compute_penalties
from ..portal import Area, can, portal_view, staff_of

DASHBOARD_LINE_BOXES = (
    ("new", gettext_lazy("New orders"), "orders"),
    ("paid", gettext_lazy("To acknowledge"), "orders"),
    ("ship_today", gettext_lazy("Ship today"), "orders"),
    ("delayed", gettext_lazy("Delayed"), "orders"),
)
DASHBOARD_CLAIM_BOXES = (
    ("cancel_requests", gettext_lazy("Cancel requests")),
    ("return_requests", gettext_lazy("Return requests")),
    ("exchange_requests", gettext_lazy("Exchange requests")),
    ("held", gettext_lazy("Held claims")),
    ("refunds_due", gettext_lazy("Refunds due")),
)


@portal_view(Area.DASHBOARD)
def dashboard(request):
    seller = request.seller
    data = selectors.get_seller_dashboard(seller=seller)
    staff = request.seller_staff
    return render(request, "partner/dashboard.html", {
        "data": data,
        "line_boxes": [(key, label, data["lines"][key]) for key, label, _area in DASHBOARD_LINE_BOXES],
        "claim_boxes": [(key, label, data["claims"][key]) for key, label in DASHBOARD_CLAIM_BOXES],
        "pipeline": [(key, OrderLine.Status(key).label, data["lines"][key])
                     for key in ("paid", "preparing", "ready_to_ship", "shipping", "delivered")],
        "sees_orders": can(staff, Area.ORDERS), "sees_products": can(staff, Area.PRODUCTS),
        "today": timezone.localdate(),
    })


# --- The application ------------------------------------------------------------------------------

def _application_documents(form) -> dict:
    return {kind: form.cleaned_data.get(name) for kind, name in (
        (SellerDocument.Kind.BUSINESS_REGISTRATION, "business_registration"),
        (SellerDocument.Kind.BANK_BOOK, "bank_book")) if form.cleaned_data.get(name)}


APPLICATION_GROUPS = (
    (gettext_lazy("Store and business"), ("name", "business_name", "business_number", "representative", "mail_order_number",
                               "address")),
    (gettext_lazy("Contact"), ("contact_name", "contact_phone", "contact_email", "cs_phone", "description")),
    (gettext_lazy("Settlement account"), ("bank_name", "bank_account_number", "bank_account_holder")),
)


def apply(request):
    """Anyone signed in applies here; an applicant sees the application's status (and re-applies
    after a rejection); staff of an approved seller are sent to the portal."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    staff = staff_of(request.user)
    seller = staff.seller if staff else None
    if seller is not None and seller.status in (Seller.Status.ACTIVE, Seller.Status.SUSPENDED):
        return redirect("partner:dashboard")
    reapply = seller is not None and seller.status == Seller.Status.REJECTED
    if seller is not None and not reapply:
        return render(request, "partner/apply_status.html", {"seller": seller})
    if reapply and staff.role != SellerStaff.Role.OWNER:
        return render(request, "partner/apply_status.html", {"seller": seller})
    initial = {name: getattr(seller, name) for name in FullApplicationForm.base_fields if hasattr(seller, name)} \
        if reapply else {"contact_name": request.user.name, "contact_email": request.user.email,
                         "contact_phone": getattr(request.user, "phone", "")}
    form = FullApplicationForm(request.POST or None, request.FILES or None, initial=initial, reapply=reapply)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items()
                if name not in ("business_registration", "bank_book", "agree_terms")}
        try:
            if reapply:
                services.reapply_seller(seller=seller, actor=request.user, documents=_application_documents(form),
                                        agreed_to_terms=form.cleaned_data["agree_terms"], **data)
            else:
                services.apply_seller(user=request.user, documents=_application_documents(form),
                                      agreed_to_terms=form.cleaned_data["agree_terms"], **data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your application was sent. We will tell you the result by mail."))
            return redirect("partner:apply")
    groups = [(legend, [form[name] for name in names if name in form.fields]) for legend, names in APPLICATION_GROUPS]
    return render(request, "partner/apply.html", {"form": form, "seller": seller, "reapply": reapply,
                                                  "groups": groups},
                  status=400 if request.method == "POST" else 200)


def _serve_document(document: SellerDocument):
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="{document.kind}-{document.pk}.{document.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def document(request, document_id: int):
    """A document of the person's own seller (owner or manager; applicants see their own too)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    staff = staff_of(request.user)
    if staff is None:
        raise Http404
    found = SellerDocument.objects.filter(pk=document_id, seller_id=staff.seller_id).first()
    if found is None:
        raise Http404
    if not can(staff, Area.STORE):  # the owner and managers, as for the store's other settings
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return _serve_document(found)


document.portal_area = Area.STORE


def invitation(request, token: str):
    """The invited person signs in (or signs up) with the invited email and accepts."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = SellerInvitation.objects.select_related("seller").filter(
        token=token, email=(request.user.email or "").lower()).first()
    if found is None:
        raise Http404  # someone else's link: nothing to see
    if request.method == "POST":
        try:
            services.accept_invitation(token=token, user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Welcome to %(seller)s's seller center.") % {"seller": found.seller.name})
            return redirect("partner:dashboard")
    return render(request, "partner/invitation.html", {"invitation": found, "already_staff": staff_of(request.user)})


# --- Store settings -------------------------------------------------------------------------------

@portal_view(Area.STORE)
def store(request):
    """The store's profile, its documents and the settlement account (read-only: the operator's)."""
    seller = request.seller
    form = SellerProfileForm(request.POST or None, instance=seller)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_seller_profile(seller=seller, actor=request.user,
                                           **{name: form.cleaned_data[name] for name in form.fields})
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Store profile saved."))
            return redirect("partner:store")
    seller.refresh_from_db()
    return render(request, "partner/store.html", {
        "form": form, "seller": seller, "documents": list(seller.documents.all()),
        "contracts": list(seller.settlement_contracts.all()[:3]),
    }, status=400 if request.method == "POST" else 200)


@portal_view(Area.STORE)
def shipping(request):
    seller = request.seller
    policy = seller.shipping_policy
    form = PortalShippingPolicyForm(request.POST or None, instance=policy,
                                    initial={"courier_codes": policy.courier_codes})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_shipping_policy(seller=seller, actor=request.user,
                                            **{name: form.cleaned_data[name] for name in services.SHIPPING_POLICY_FIELDS})
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Shipping policy saved."))
            return redirect("partner:shipping")
    return render(request, "partner/shipping.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@portal_view(Area.STORE)
def holidays(request):
    seller = request.seller
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_holiday(seller=seller, actor=request.user, day=form.cleaned_data["day"],
                                 note=form.cleaned_data["note"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Holiday added."))
            return redirect("partner:holidays")
    upcoming = seller.holidays.filter(date__gte=timezone.localdate())
    return render(request, "partner/holidays.html", {"form": form, "holidays": list(upcoming)},
                  status=400 if request.method == "POST" else 200)


@require_POST
@portal_view(Area.STORE)
def holiday_delete(request, holiday_id: int):
    if not request.seller.holidays.filter(pk=holiday_id).exists():
        raise Http404
    services.remove_holiday(seller=request.seller, actor=request.user, holiday_id=holiday_id)
    messages.success(request, _("Holiday removed."))
    return redirect("partner:holidays")


# --- Staff ----------------------------------------------------------------------------------------

@portal_view(Area.STAFF)
def staff(request):
    seller = request.seller
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_staff(seller=seller, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("partner:staff")
    members = list(seller.staff.select_related("user").order_by("created_at", "id"))
    for member in members:
        member.role_form = StaffRoleForm(initial={"role": member.role}, auto_id=f"id_role_{member.pk}_%s")
    now = timezone.now()
    return render(request, "partner/staff.html", {
        "form": form, "members": members,
        "invitations": list(seller.invitations.filter(accepted_at=None, cancelled_at=None, expires_at__gt=now)),
    }, status=400 if request.method == "POST" else 200)


def _member_or_404(request, staff_id: int) -> SellerStaff:
    member = request.seller.staff.filter(pk=staff_id).first()
    if member is None:
        raise Http404
    return member


@require_POST
@portal_view(Area.STAFF)
def staff_role(request, staff_id: int):
    member = _member_or_404(request, staff_id)
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("partner:staff")
    try:
        services.change_staff_role(seller=request.seller, actor=request.user, staff_id=member.pk,
                                   role=form.cleaned_data["role"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Role changed."))
    return redirect("partner:staff")


@require_POST
@portal_view(Area.STAFF)
def staff_remove(request, staff_id: int):
    member = _member_or_404(request, staff_id)
    try:
        services.remove_staff(seller=request.seller, actor=request.user, staff_id=member.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Staff member removed."))
    return redirect("partner:staff")


@require_POST
@portal_view(Area.STAFF)
def invitation_cancel(request, invitation_id: int):
    if not request.seller.invitations.filter(pk=invitation_id).exists():
        raise Http404
    services.cancel_invitation(seller=request.seller, actor=request.user, invitation_id=invitation_id)
    messages.success(request, _("Invitation cancelled."))
    return redirect("partner:staff")


# --- Messages, penalties, stock alerts ------------------------------------------------------------

@portal_view(Area.DASHBOARD)
def message_list(request):
    page = Paginator(selectors.list_seller_messages(seller=request.seller), 30).get_page(request.GET.get("page"))
    return render(request, "partner/messages.html", {"page": page})


@portal_view(Area.DASHBOARD)
def penalties(request):
    report = compute_penalties(seller=request.seller)
    from .. import penalties as rules

    return render(request, "partner/penalties.html", {
        "report": report, "rules": [(str(rules.LABELS[kind]), points) for kind, points in rules.POINTS.items()],
        "sanction_points": rules.SANCTION_POINTS, "sanction_ratio": rules.SANCTION_RATIO_PERCENT,
    })


@portal_view(Area.PRODUCTS)
def low_stock(request):
    page = Paginator(selectors.list_low_stock_skus(seller=request.seller), 50).get_page(request.GET.get("page"))
    return render(request, "partner/low_stock.html", {"page": page, "threshold": selectors.LOW_STOCK_QUANTITY})
