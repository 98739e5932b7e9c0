"""Forms for the seller application and the shipping policy (used by the partner portal later)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from partners.models import ShippingPolicy
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
