"""Forms for the seller application and the shipping policy (used by the partner portal later)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from partners.models import Seller, SellerStaff, ShippingPolicy
from partners.services import MAX_SHIP_WITHIN_DAYS, MAX_SHIPPING_AMOUNT, SHIPPING_POLICY_FIELDS
from partners.validators import normalize_business_number, validate_business_number


class SellerApplicationForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=60)
    business_name = forms.CharField(label=_("Company name"), max_length=100)
    business_number = forms.CharField(
        label=_("Business registration number"),
        max_length=12,
        validators=[validate_business_number],
        help_text=_("Ten digits, e.g. 123-45-67890"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "123-45-67890"}),
    )
    representative = forms.CharField(label=_("Representative"), max_length=50)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})
    )
    contact_email = forms.EmailField(label=_("Contact email"))
    description = forms.CharField(label=_("Store introduction"), required=False, widget=forms.Textarea)

    def clean_business_number(self) -> str:
        return normalize_business_number(self.cleaned_data["business_number"].strip())


class ShippingPolicyForm(forms.ModelForm):
    class Meta:
        model = ShippingPolicy
        fields = list(SHIPPING_POLICY_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The same limits as partners.services.update_shipping_policy, shown next to the field.
        for name, field in self.fields.items():
            if name.endswith("_amount"):
                field.validators.append(MaxValueValidator(MAX_SHIPPING_AMOUNT))
                field.widget.attrs.update({"inputmode": "numeric", "step": 100, "max": MAX_SHIPPING_AMOUNT})
        days = self.fields["ship_within_days"]
        days.validators += [MinValueValidator(1), MaxValueValidator(MAX_SHIP_WITHIN_DAYS)]
        days.widget.attrs.update({"min": 1, "max": MAX_SHIP_WITHIN_DAYS})


# --- The application (입점 신청) and the portal's store pages ----------------------------------

class DocumentField(forms.FileField):
    """A PDF/JPEG/PNG document; the content is checked by the service (``check_seller_document``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}))
        super().__init__(*args, **kwargs)


class FullApplicationForm(SellerApplicationForm):
    """Everything the issue asks of an applicant; the documents are checked by content in the service."""

    mail_order_number = forms.CharField(label=_("Mail-order business report number (통신판매업 신고번호)"),
                                        max_length=40, widget=forms.TextInput(attrs={"placeholder": "2026-서울강남-01234"}))
    address = forms.CharField(label=_("Business address"), max_length=200)
    cs_phone = forms.CharField(label=_("Customer service phone"), max_length=20,
                               widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))
    bank_name = forms.CharField(label=_("Settlement bank"), max_length=30)
    bank_account_number = forms.CharField(label=_("Settlement account number"), max_length=30,
                                          widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    bank_account_holder = forms.CharField(label=_("Account holder"), max_length=50)
    business_registration = DocumentField(label=_("Business registration certificate (PDF, JPEG or PNG)"))
    bank_book = DocumentField(label=_("Bank book copy (PDF, JPEG or PNG)"))
    agree_terms = forms.BooleanField(label=_("I agree to the seller terms of MarketOn"),
                                     error_messages={"required": _("Agree to the seller terms to apply.")})

    def __init__(self, *args, reapply: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if reapply:  # the store name and the business number stay; new documents are optional
            for name in ("name", "business_number"):
                del self.fields[name]
            self.fields["business_registration"].required = False
            self.fields["bank_book"].required = False

    def clean_business_number(self) -> str:
        return super().clean_business_number()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveSellerForm(forms.Form):
    commission_rate = forms.DecimalField(label=_("Commission rate (%)"), max_digits=5, decimal_places=2,
                                         min_value=0, max_value=100, required=False,
                                         help_text=_("Empty: the category and site rules apply."))
    category_rates = forms.CharField(
        label=_("Per-category rates"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: category id = rate, e.g. 12 = 8.5"))
    cycle = forms.ChoiceField(label=_("Settlement cycle"))
    pg_fee_borne_by_seller = forms.BooleanField(label=_("The seller bears the PG fee"), required=False)
    ship_within_days = forms.IntegerField(label=_("Ships within (business days)"), min_value=1,
                                          max_value=MAX_SHIP_WITHIN_DAYS, initial=2)
    reason = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        from settlement.models import SettlementContract

        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = SettlementContract.Cycle.choices

    def clean_category_rates(self) -> dict:
        from decimal import Decimal, InvalidOperation

        from catalog.models import Category

        rates: dict[int, Decimal] = {}
        for number, raw in enumerate((self.cleaned_data.get("category_rates") or "").splitlines(), start=1):
            if not raw.strip():
                continue
            key, _sep, value = raw.partition("=")
            try:
                category_id, rate = int(key.strip()), Decimal(value.strip())
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(_("Line %(number)s: write “category id = rate”.") % {"number": number}) from None
            if not Decimal("0") <= rate <= Decimal("100"):
                raise forms.ValidationError(_("Line %(number)s: a rate is between 0 and 100.") % {"number": number})
            rates[category_id] = rate
        categories = Category.objects.in_bulk(list(rates))
        missing = sorted(set(rates) - set(categories))
        if missing:
            raise forms.ValidationError(_("Unknown categories: %(ids)s") % {"ids": ", ".join(map(str, missing))})
        return {categories[category_id]: rate for category_id, rate in rates.items()}


class InviteStaffForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=SellerStaff.Role.choices, initial=SellerStaff.Role.ORDERS)


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=SellerStaff.Role.choices)


class SellerProfileForm(forms.ModelForm):
    class Meta:
        model = Seller
        fields = ["description", "contact_name", "contact_phone", "contact_email", "cs_phone", "address"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=60, required=False)


class PortalShippingPolicyForm(ShippingPolicyForm):
    courier_codes = forms.MultipleChoiceField(label=_("Couriers used"), required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        from orders.models import Courier

        super().__init__(*args, **kwargs)
        self.fields["courier_codes"].choices = list(Courier.objects.filter(is_active=True).values_list("code", "name"))
