"""Forms of the order console (search, bulk moves, per-line actions, memos, waybill upload)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import OrderLine, PaymentMethod
from orders.services.fulfilment import DELAY_REASONS

S = OrderLine.Status

# (tab key, label) in the order Korean admins read them; labels are the statuses' own.
STATUS_TABS = [
    (S.PENDING_PAYMENT, S.PENDING_PAYMENT.label), (S.PAID, S.PAID.label), (S.PREPARING, S.PREPARING.label),
    (S.READY_TO_SHIP, S.READY_TO_SHIP.label), (S.SHIPPING, S.SHIPPING.label), (S.DELIVERED, S.DELIVERED.label),
    (S.CONFIRMED, S.CONFIRMED.label), (S.CANCELLED, S.CANCELLED.label), ("all", _("All")),
]

# The bulk moves and the statuses they start from (the service checks again anyway).
BULK_ACTIONS = {
    "acknowledge": (_("Acknowledge"), {S.PAID}),
    "ship": (_("Mark shipped"), {S.READY_TO_SHIP}),
    "deliver": (_("Mark delivered"), {S.SHIPPING}),
}


class OrderLineSearchForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + STATUS_TABS[:-1])
    number = forms.CharField(label=_("Order number"), required=False, max_length=20)
    name = forms.CharField(label=_("Orderer name"), required=False, max_length=50)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    email = forms.CharField(label=_("Email"), required=False, max_length=254)
    product = forms.CharField(label=_("Product name"), required=False, max_length=120)
    seller = forms.ModelChoiceField(label=_("Seller"), required=False, queryset=None, empty_label=_("All sellers"))
    date_from = forms.DateField(label=_("Ordered from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Ordered until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    payment_method = forms.ChoiceField(label=_("Payment method"), required=False,
                                       choices=[("", _("All methods"))] + list(PaymentMethod.choices))
    delayed = forms.BooleanField(label=_("Delayed only"), required=False)

    SEARCH_FIELDS = ("number", "name", "phone", "email", "product", "seller", "date_from", "date_to",
                     "payment_method", "delayed")

    def __init__(self, *args, **kwargs):
        from partners.models import Seller

        super().__init__(*args, **kwargs)
        self.fields["seller"].queryset = Seller.objects.order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        product = (data.get("product") or "").strip()
        if product and len(product) < 2:
            self.add_error("product", _("Enter at least two characters of the product name."))
        return data

    def selector_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data.get("status") or "", "number": data.get("number") or "", "name": data.get("name") or "",
            "phone": data.get("phone") or "", "email": data.get("email") or "", "product": data.get("product") or "",
            "seller": data.get("seller"), "date_from": data.get("date_from"), "date_to": data.get("date_to"),
            "payment_method": data.get("payment_method") or "", "delayed_only": bool(data.get("delayed")),
        }

    def has_search(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.get(name) for name in self.SEARCH_FIELDS)


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(key, label) for key, (label, _statuses) in BULK_ACTIONS.items()])
    lines = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={
        "required": _("Select at least one line.")})
    next = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any line id is acceptable here: the service refuses lines that cannot move.
        self.fields["lines"].valid_value = lambda value: str(value).isdigit()


class WaybillForm(forms.Form):
    courier = forms.ChoiceField(label=_("Courier"))
    waybill_number = forms.CharField(label=_("Waybill number"), max_length=30)
    next = forms.CharField(required=False)

    def __init__(self, *args, couriers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courier"].choices = [("", _("Choose a courier"))] + [(c.code, c.name) for c in couriers]


class DelayForm(forms.Form):
    new_ship_by = forms.DateField(label=_("New ship-by date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("Choose a reason"))] + list(DELAY_REASONS.items()))
    note = forms.CharField(label=_("Note to the shopper"), max_length=200, required=False)

    def clean_new_ship_by(self):
        value = self.cleaned_data["new_ship_by"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("The new ship-by date must be in the future."))
        return value


class BackorderForm(forms.Form):
    expected_date = forms.DateField(label=_("Stock expected on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note to the shopper"), max_length=200, required=False)

    def clean_expected_date(self):
        value = self.cleaned_data["expected_date"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("The expected date must be in the future."))
        return value


class StockCancelForm(forms.Form):
    """Cancel a line out of stock; a virtual-account order also needs the refund account."""

    reason = forms.CharField(label=_("Reason shown to the shopper"), max_length=200,
                             initial=_("Out of stock"))
    refund_bank_code = forms.CharField(label=_("Refund bank code"), max_length=10, required=False)
    refund_account_number = forms.CharField(label=_("Refund account number"), max_length=40, required=False)
    refund_holder = forms.CharField(label=_("Account holder"), max_length=60, required=False)

    def __init__(self, *args, needs_account: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_account = needs_account
        if not needs_account:
            for name in ("refund_bank_code", "refund_account_number", "refund_holder"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.needs_account:
            for name in ("refund_bank_code", "refund_account_number", "refund_holder"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("A virtual-account payment is refunded to the shopper's bank account: "
                                           "fill this in."))
            number = (data.get("refund_account_number") or "").replace("-", "").strip()
            if number and not number.isdigit():
                self.add_error("refund_account_number", _("Enter the account number in digits."))
        return data

    def refund_account(self):
        if not self.needs_account:
            return None
        from orders.payments import RefundAccount

        data = self.cleaned_data
        return RefundAccount(bank_code=data["refund_bank_code"].strip(),
                             account_number=data["refund_account_number"].replace("-", "").strip(),
                             holder_name=data["refund_holder"].strip())


class MemoForm(forms.Form):
    body = forms.CharField(label=_("Memo"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class WaybillUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Waybill file"),
        help_text=_("The downloaded .xlsx with 택배사 (courier name or code) and 송장번호 filled in."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
