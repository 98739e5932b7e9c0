"""Forms of the order console (search, bulk moves, per-line actions, memos, waybill upload)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orders.models import OrderLine, PaymentMethod
from orders.services.fulfilment import DELAY_REASONS

S = OrderLine.Status

# (tab key, label) in the order Korean admins read them; labels are the statuses' own. Every line
# status has a tab (취소/반품/교환 완료 included), so the tabs add up to 전체.
STATUS_TABS = [
    (S.PENDING_PAYMENT, S.PENDING_PAYMENT.label), (S.PAID, S.PAID.label), (S.PREPARING, S.PREPARING.label),
    (S.READY_TO_SHIP, S.READY_TO_SHIP.label), (S.SHIPPING, S.SHIPPING.label), (S.DELIVERED, S.DELIVERED.label),
    (S.CONFIRMED, S.CONFIRMED.label), (S.CANCELLED, pgettext_lazy("console tab", "Cancelled")), (S.RETURNED, S.RETURNED.label),
    (S.EXCHANGED, S.EXCHANGED.label), ("all", _("All")),
]

# The bulk moves and the statuses they start from (the service checks again anyway).
BULK_ACTIONS = {
    "acknowledge": (_("Acknowledge"), {S.PAID}),
    "ship": (_("Mark shipped"), {S.READY_TO_SHIP}),
    "deliver": (_("Mark delivered"), {S.SHIPPING}),
    "delay": (_("Delay dispatch"), {S.PAID, S.PREPARING}),
}


class BulkDelayFields(forms.Form):
    """The new date, reason and note a bulk dispatch delay needs (the other actions ignore them)."""

    new_ship_by = forms.DateField(label=_("New ship-by date"), required=False)
    delay_reason = forms.ChoiceField(label=_("Delay reason"), required=False,
                                     choices=[("", _("Choose a reason"))] + list(DELAY_REASONS.items()))
    delay_note = forms.CharField(label=_("Note to the shopper"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "delay":
            if not data.get("delay_reason"):
                self.add_error("delay_reason", _("Choose a delay reason."))
            if not data.get("new_ship_by"):
                self.add_error("new_ship_by", _("Enter the new ship-by date."))
            else:
                try:
                    _check_bounded_date(data["new_ship_by"],
                                        past_message=_("The new ship-by date must be in the future."))
                except forms.ValidationError as error:
                    self.add_error("new_ship_by", error)
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        if data.get("action") != "delay":
            return {}
        return {"new_ship_by": data["new_ship_by"].isoformat(), "reason_code": data["delay_reason"],
                "note": data.get("delay_note", "")}


class OrderLineSearchForm(forms.Form):
    # "all" is the 전체 tab's own key: a search from that tab keeps it.
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + STATUS_TABS)
    number = forms.CharField(label=_("Order number"), required=False, max_length=20,
                             help_text=_("The whole number or a part of it (at least 4 characters)."))
    name = forms.CharField(label=_("Orderer name"), required=False, max_length=50,
                           help_text=_("The whole name or a part of it."))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20,
                            help_text=_("The whole number, or its last 4 digits."))
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
        number = (data.get("number") or "").strip()
        if number and len(number) < 4:
            self.add_error("number", _("Enter at least 4 characters of the order number."))
        phone = "".join(character for character in (data.get("phone") or "") if character.isdigit())
        if data.get("phone") and len(phone) < 4:
            self.add_error("phone", _("Enter the last 4 digits or the whole phone number."))
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


# A page's bulk form sends at most a page of ids; whole search results go to a background job
# (BulkJobForm) that sends the search, never the ids.
MAX_LINES_PER_REQUEST = 1000


class BulkActionForm(BulkDelayFields):
    action = forms.ChoiceField(choices=[(key, label) for key, (label, _statuses) in BULK_ACTIONS.items()])
    lines = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={
        "required": _("Select at least one line.")})
    next = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any line id is acceptable here: the service refuses lines that cannot move.
        self.fields["lines"].valid_value = lambda value: str(value).isdigit()

    def clean_lines(self):
        lines = self.cleaned_data["lines"]
        if len(lines) > MAX_LINES_PER_REQUEST:
            raise forms.ValidationError(_("Too many lines at once: use “select all results” instead."))
        return lines


class BulkJobForm(BulkDelayFields):
    """Run a bulk move on every line a search found (in the background): the search, not ids."""

    action = forms.ChoiceField(choices=[(key, label) for key, (label, _statuses) in BULK_ACTIONS.items()])
    query = forms.CharField(required=False, max_length=2000)
    expected = forms.IntegerField(min_value=1, help_text="how many lines the operator was shown")


class WaybillForm(forms.Form):
    courier = forms.ChoiceField(label=_("Courier"))
    waybill_number = forms.CharField(label=_("Waybill number"), max_length=30)
    next = forms.CharField(required=False)

    def __init__(self, *args, couriers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courier"].choices = [("", _("Choose a courier"))] + [(c.code, c.name) for c in couriers]


def _bounded_date_widget():
    """A date picker that offers only tomorrow .. today + DISPATCH_DELAY_MAX_DAYS."""
    from datetime import timedelta

    from django.conf import settings

    today = timezone.localdate()
    return forms.DateInput(attrs={"type": "date", "min": (today + timedelta(days=1)).isoformat(),
                                  "max": (today + timedelta(days=settings.DISPATCH_DELAY_MAX_DAYS)).isoformat()})


def _check_bounded_date(value, *, past_message):
    from datetime import timedelta

    from django.conf import settings

    today = timezone.localdate()
    if value <= today:
        raise forms.ValidationError(past_message)
    if value > today + timedelta(days=settings.DISPATCH_DELAY_MAX_DAYS):
        raise forms.ValidationError(_("Choose a date at most %(days)d days from today.") % {
            "days": settings.DISPATCH_DELAY_MAX_DAYS})
    return value


class DelayForm(forms.Form):
    new_ship_by = forms.DateField(label=_("New ship-by date"))
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("Choose a reason"))] + list(DELAY_REASONS.items()))
    note = forms.CharField(label=_("Note to the shopper"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_ship_by"].widget = _bounded_date_widget()

    def clean_new_ship_by(self):
        return _check_bounded_date(self.cleaned_data["new_ship_by"],
                                   past_message=_("The new ship-by date must be in the future."))


class BackorderForm(forms.Form):
    expected_date = forms.DateField(label=_("Stock expected on"))
    note = forms.CharField(label=_("Note to the shopper"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_date"].widget = _bounded_date_widget()

    def clean_expected_date(self):
        return _check_bounded_date(self.cleaned_data["expected_date"],
                                   past_message=_("The expected date must be in the future."))


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
