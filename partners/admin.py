"""Django admin for sellers (superusers only, see accounts.admin). Status moves through the services."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from partners import services
from partners.models import Seller, SellerStaff, ShippingPolicy


class SellerStaffInline(admin.TabularInline):
    model = SellerStaff
    extra = 0
    raw_id_fields = ("user",)


class ShippingPolicyInline(admin.StackedInline):
    model = ShippingPolicy
    extra = 0
    can_delete = False


def _run(modeladmin, request, queryset, action, **kwargs):
    done = 0
    for seller in queryset:
        try:
            action(seller=seller, actor=request.user, **kwargs)
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{seller}: {error.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(count)d seller(s) updated.") % {"count": done}, messages.SUCCESS)


@admin.action(description=_("Approve selected applications"))
def approve(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.approve_seller)


@admin.action(description=_("Suspend selected sellers"))
def suspend(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.suspend_seller, reason=str(_("Suspended in the admin")))


@admin.action(description=_("Reinstate selected sellers"))
def reinstate(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.reinstate_seller)


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("name", "business_name", "business_number", "status", "contact_email", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "business_name", "business_number", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [SellerStaffInline, ShippingPolicyInline]
    actions = [approve, suspend, reinstate]


@admin.register(SellerStaff)
class SellerStaffAdmin(admin.ModelAdmin):
    list_display = ("user", "seller", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__name", "seller__name")
    list_select_related = ("user", "seller")
    raw_id_fields = ("user", "seller")


@admin.register(ShippingPolicy)
class ShippingPolicyAdmin(admin.ModelAdmin):
    list_display = ("seller", "courier_name", "base_fee_amount", "free_threshold_amount", "ship_within_days")
    search_fields = ("seller__name",)
    list_select_related = ("seller",)
    raw_id_fields = ("seller",)
