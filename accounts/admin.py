"""Django admin: for superusers only. Operators work in /console/, sellers in the partner portal."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Address, User
from accounts.services import normalize_email


def _superuser_only(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


# Staff (operators) must not reach the admin: it bypasses the services and their audit trail.
admin.site.has_permission = _superuser_only
admin.site.site_header = _("MarketOn administration")
admin.site.site_title = _("MarketOn administration")


class EmailUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {}

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "name")
        field_classes = {}

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ("label", "recipient", "phone", "postcode", "address1", "address2", "is_default")
    readonly_fields = ("is_default",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ("-date_joined",)
    list_display = ("email", "name", "phone", "is_staff", "is_superuser", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "marketing_opt_in")
    search_fields = ("email", "name", "phone")
    readonly_fields = ("last_login", "date_joined", "terms_agreed_at", "marketing_opt_in_at")
    inlines = [AddressInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name", "phone")}),
        (_("Consents"), {"fields": ("terms_agreed_at", "marketing_opt_in", "marketing_opt_in_at")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("user", "label", "recipient", "postcode", "address1", "is_default", "updated_at")
    list_filter = ("is_default",)
    search_fields = ("user__email", "recipient", "phone", "postcode", "address1")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    # The default flag moves only through the address-book services (one default per shopper).
    readonly_fields = ("is_default",)
