"""Seller applications and sellers in the operator console (/console/sellers/): list with status
tabs, the application with its documents, approve with a contract, reject, suspend, reactivate.
partners.view_seller to see, partners.change_seller as well to decide (anonymous → login, others 403)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import DomainError
from core.transitions import history
from core.views_console import console_permission_required

from .. import services
from ..forms import ApproveSellerForm, ReasonForm
from ..models import Seller, SellerDocument
from .partner import _serve_document

VIEW, CHANGE = "partners.view_seller", "partners.change_seller"
Status = Seller.Status
TABS = [Status.APPLIED, Status.UNDER_REVIEW, Status.REJECTED, Status.ACTIVE, Status.SUSPENDED]


@require_GET
@console_permission_required(VIEW)
def seller_list(request):
    counts = Seller.objects.aggregate(**{status: Count("id", filter=Q(status=status)) for status in TABS})
    status = request.GET.get("status") if request.GET.get("status") in Status.values else ""
    if not status:  # the work first: applications waiting, else the active sellers
        status = next((s for s in (Status.APPLIED, Status.UNDER_REVIEW) if counts[s]), Status.ACTIVE)
    query = request.GET.get("q", "").strip()[:60]
    sellers = Seller.objects.filter(status=status).order_by("-created_at", "-id")
    if query:
        sellers = sellers.filter(Q(name__icontains=query) | Q(business_name__icontains=query)
                                 | Q(business_number=query) | Q(contact_email__iexact=query))
    page = Paginator(sellers, 50).get_page(request.GET.get("page"))
    return render(request, "console/partners/list.html", {
        "status": status, "query": query, "page": page, "sellers": list(page.object_list),
        "tabs": [(key, Status(key).label, counts[key]) for key in TABS],
    })


def _seller_or_404(seller_id: int) -> Seller:
    seller = Seller.objects.select_related("shipping_policy").filter(pk=seller_id).first()
    if seller is None:
        raise Http404
    return seller


def _render_detail(request, seller: Seller, *, bound=None, status: int = 200):
    allowed = services.SELLER_STATUS_TRANSITIONS.get(seller.status, set())
    forms = {
        "approve": ApproveSellerForm(prefix="approve", initial={
            "ship_within_days": getattr(getattr(seller, "shipping_policy", None), "ship_within_days", 2)}),
        "reject": ReasonForm(prefix="reject"),
        "suspend": ReasonForm(prefix="suspend"),
        "reinstate": ReasonForm(prefix="reinstate"),
    }
    if bound:
        forms[bound[0]] = bound[1]
    can_change = request.user.has_perm(CHANGE)
    return render(request, "console/partners/detail.html", {
        "seller": seller, "documents": list(seller.documents.select_related("uploaded_by")),
        "staff": list(seller.staff.select_related("user")), "timeline": list(history(seller)),
        "contracts": list(seller.settlement_contracts.all()[:5]),
        "rules": list(seller.commission_rules.select_related("category").all()[:20]),
        "forms": forms, "can_change": can_change,
        "can_review": can_change and Status.UNDER_REVIEW in allowed,
        "can_approve": can_change and seller.status in (Status.APPLIED, Status.UNDER_REVIEW),
        "can_reject": can_change and Status.REJECTED in allowed,
        "can_suspend": can_change and Status.SUSPENDED in allowed,
        "can_reinstate": can_change and seller.status == Status.SUSPENDED,
    }, status=status)


@require_GET
@console_permission_required(VIEW)
def seller_detail(request, seller_id: int):
    return _render_detail(request, _seller_or_404(seller_id))


@require_GET
@console_permission_required(VIEW)
def seller_document(request, seller_id: int, document_id: int):
    document = SellerDocument.objects.filter(pk=document_id, seller_id=seller_id).first()
    if document is None:
        raise Http404
    return _serve_document(document)


def _decide(request, seller: Seller, action, success: str):
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("console:sellers:detail", seller_id=seller.pk)


@require_POST
@console_permission_required(VIEW, CHANGE)
def seller_review(request, seller_id: int):
    seller = _seller_or_404(seller_id)
    return _decide(request, seller, lambda: services.start_review(seller=seller, actor=request.user),
                   _("The application is now under review."))


@require_POST
@console_permission_required(VIEW, CHANGE)
def seller_approve(request, seller_id: int):
    seller = _seller_or_404(seller_id)
    form = ApproveSellerForm(request.POST, prefix="approve")
    if not form.is_valid():
        return _render_detail(request, seller, bound=("approve", form), status=400)
    data = form.cleaned_data
    return _decide(request, seller, lambda: services.approve_seller(
        seller=seller, actor=request.user, reason=data["reason"], commission_rate=data["commission_rate"],
        category_rates=data["category_rates"], cycle=data["cycle"],
        pg_fee_borne_by_seller=data["pg_fee_borne_by_seller"], ship_within_days=data["ship_within_days"]),
        _("Approved: %(seller)s is open with its contract.") % {"seller": seller.name})


def _reason_action(action_name: str, service, success: str):
    @require_POST
    @console_permission_required(VIEW, CHANGE)
    def view(request, seller_id: int):
        seller = _seller_or_404(seller_id)
        form = ReasonForm(request.POST, prefix=action_name)
        if action_name != "reinstate" and not form.is_valid():
            return _render_detail(request, seller, bound=(action_name, form), status=400)
        reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
        return _decide(request, seller, lambda: service(seller=seller, actor=request.user, reason=reason), success)

    view.__name__ = f"seller_{action_name}"
    return view


seller_reject = _reason_action("reject", services.reject_seller, _("Application rejected; the applicant is told."))
seller_suspend = _reason_action("suspend", services.suspend_seller, _("Seller suspended; its products are hidden."))
seller_reinstate = _reason_action("reinstate", services.reinstate_seller, _("Seller reactivated."))
