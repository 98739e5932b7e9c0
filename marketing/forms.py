"""Forms of the coupon and points pages. They parse input; the rules live in the services."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from marketing.models import Coupon

MAX_ISSUE_EMAILS = 500
MAX_POINTS_ADJUSTMENT = 10_000_000


class CouponCodeForm(forms.Form):
    code = forms.CharField(label=_("Coupon code"), max_length=30,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "placeholder": _("Enter a coupon code")}))


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ProductIdsField(forms.CharField):
    """Product ids typed or picked by the search helper: "12, 15 31"."""

    def to_python(self, value):
        value = super().to_python(value)
        parts = [part for part in re.split(r"[\s,]+", value or "") if part]
        if any(not part.isdigit() or len(part) > 12 for part in parts):
            raise forms.ValidationError(_("Enter product numbers separated by commas."), code="invalid")
        return list(dict.fromkeys(int(part) for part in parts))

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        ids = super().clean(value)
        from catalog.models import Product

        found = set(Product.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        unknown = [str(i) for i in ids if i not in found]
        if unknown:
            raise forms.ValidationError(_("No product has the number %(ids)s.") % {"ids": ", ".join(unknown)},
                                        code="unknown")
        return ids


class CouponForm(forms.ModelForm):
    """Every field of a coupon; the service checks how they fit together."""

    products = ProductIdsField(label=_("Products"), required=False,
                               help_text=_("Product numbers separated by commas, or search below."))
    excluded_products = ProductIdsField(label=_("Excluded products"), required=False,
                                        help_text=_("Product numbers the coupon never applies to."))

    class Meta:
        model = Coupon
        fields = [
            "name", "kind", "discount_type", "discount_value", "max_discount_amount", "min_order_amount",
            "scope", "categories", "sellers", "valid_from", "valid_until", "valid_days",
            "total_limit", "per_user_limit", "funder", "funding_seller", "seller_share_percent",
            "code", "downloadable", "auto_issue",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "discount_type": forms.RadioSelect,
            "scope": forms.RadioSelect,
            "funder": forms.RadioSelect,
            "categories": forms.SelectMultiple(attrs={"size": 8}),
            "sellers": forms.SelectMultiple(attrs={"size": 6}),
            "valid_from": DateTimeLocalInput,
            "valid_until": DateTimeLocalInput,
        }
        help_texts = {
            "discount_value": _("Won for amount off, percent for percent off."),
            "max_discount_amount": _("Percent off only: the most it takes off, in won."),
            "min_order_amount": _("0 for no minimum."),
            "valid_days": _("Instead of a start date: valid for this many days from the day it is issued."),
            "total_limit": _("Empty for no limit."),
            "seller_share_percent": _("What part of each discount the seller pays."),
            "code": _("Shoppers who enter this code get the coupon. Letters and digits."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from catalog.models import Category
        from partners.models import Seller

        self.fields["categories"].queryset = Category.objects.only("id", "name", "depth", "path").order_by("path")
        self.fields["categories"].label_from_instance = lambda c: f"{'— ' * c.depth}{c.name}"
        sellers = Seller.objects.only("id", "name").order_by("name")
        self.fields["sellers"].queryset = sellers
        self.fields["funding_seller"].queryset = sellers
        self.fields["funding_seller"].label = _("Funding seller")
        self.fields["funding_seller"].empty_label = _("— none (platform funded) —")
        for name in ("kind", "discount_type", "scope", "funder"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        self.fields["code"].required = False

    def _post_clean(self):
        # The model's own validation (and its unique check on code) is the service's job here.
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["categories"] = list(data.get("categories") or [])
        data["sellers"] = list(data.get("sellers") or [])
        return data


class IssueCouponForm(forms.Form):
    emails = forms.CharField(label=_("Shoppers' emails"), widget=forms.Textarea(attrs={"rows": 6}),
                             help_text=_("One email per line."))

    def clean_emails(self):
        from marketing.services.coupons import parse_emails

        emails = parse_emails(self.cleaned_data["emails"])
        if not emails:
            raise forms.ValidationError(_("Enter at least one email."), code="required")
        if len(emails) > MAX_ISSUE_EMAILS:
            raise forms.ValidationError(_("Issue to at most %(max)d shoppers at a time.") % {"max": MAX_ISSUE_EMAILS},
                                        code="too_many")
        return emails


class CouponStatusForm(forms.Form):
    to = forms.ChoiceField(choices=Coupon.Status.choices)
    reason = forms.CharField(max_length=200, required=False)


class ShopperLookupForm(forms.Form):
    email = forms.EmailField(label=_("Shopper's email"),
                             widget=forms.EmailInput(attrs={"placeholder": "name@example.com", "autocomplete": "off",
                                                            "class": "input"}))


class PointsAdjustForm(forms.Form):
    GRANT, DEDUCT = "grant", "deduct"

    direction = forms.ChoiceField(label=_("Adjustment"), choices=[(GRANT, _("Grant")), (DEDUCT, _("Deduct"))],
                                  widget=forms.RadioSelect, initial=GRANT)
    amount = forms.IntegerField(label=_("Points (won)"), min_value=1, max_value=MAX_POINTS_ADJUSTMENT)
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             help_text=_("Shown to the shopper in their points history."))

    def signed_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        return amount if self.cleaned_data["direction"] == self.GRANT else -amount
