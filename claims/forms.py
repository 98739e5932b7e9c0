"""Forms of the claim pages: the shopper's request, and the console's step forms.

The forms only shape the input; every rule of the business (which lines, how many, the window,
the replacement's price) is checked again by claims.services, whose errors the views show.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from claims.models import Claim
from claims.services import REASONS
from orders.models import Courier
from orders.payments import RefundAccount
from orders.payments.sandbox import BANKS

T = Claim.Type
MAX_PHOTOS = 5


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Up to MAX_PHOTOS images; each is checked by claims.photos (content, size, pixels)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={
            "accept": "image/jpeg,image/png,image/webp,image/gif",
            "data-too-many": _("Attach at most 5 photos.")}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        from claims.photos import check_claim_photo

        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("Attach at most %(max)d photos.") % {"max": MAX_PHOTOS})
        errors = []
        for uploaded in files:
            try:
                check_claim_photo(uploaded)
            except Exception as error:  # the photo module raises a DomainError with a translated message
                errors.append(f"{uploaded.name}: {getattr(error, 'message', error)}")
        if errors:
            raise forms.ValidationError(errors)
        return files


def _refund_account_fields(form, *, required: bool) -> None:
    bank_choices = [("", _("Choose a bank"))] + list(BANKS.items())
    form.fields["refund_bank_code"] = forms.ChoiceField(label=_("Bank"), choices=bank_choices, required=required)
    form.fields["refund_account_number"] = forms.CharField(
        label=_("Account number"), max_length=40, required=required,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    form.fields["refund_holder"] = forms.CharField(label=_("Account holder"), max_length=60, required=required)


def _clean_refund_account(form, data) -> None:
    if "refund_account_number" not in form.fields:
        return
    number = (data.get("refund_account_number") or "").replace("-", "").replace(" ", "")
    if number and not (number.isdigit() and 8 <= len(number) <= 16):
        form.add_error("refund_account_number", _("Enter the account number in digits (8 to 16)."))
    filled = [bool(data.get(name)) for name in ("refund_bank_code", "refund_account_number", "refund_holder")]
    if any(filled) and not all(filled):
        form.add_error(None, _("Fill in the bank, the account number and the holder, or none of them."))


class ClaimRequestForm(forms.Form):
    """Lines and quantities, reason, details, photos, pickup, replacements and the refund account.

    Built for one order and one claim type: ``lines`` are the lines that may be claimed now,
    each with ``claimable_quantity``; ``replacements`` maps a line id to its exchange options.
    """

    reason = forms.ChoiceField(label=_("Reason"), widget=forms.RadioSelect,
                               error_messages={"required": _("Choose a reason.")})
    detail = forms.CharField(label=_("Details"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3, "placeholder": _(
                                 "Tell the seller what happened (e.g. where the defect is).")}))
    photos = MultipleImageField(label=_("Photos"), required=False)
    pickup_method = forms.ChoiceField(label=_("How does it go back?"), widget=forms.RadioSelect,
                                      choices=Claim.PickupMethod.choices, initial=Claim.PickupMethod.SELLER_COLLECTS,
                                      error_messages={"required": _("Choose how the item goes back.")})

    def __init__(self, *args, claim_type: str, lines: list, replacements: dict | None = None,
                 needs_account: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim_type = claim_type
        self.lines = lines
        self.replacements = replacements or {}
        self.needs_account = needs_account
        self.fields["reason"].choices = [(code, label) for code, (_fault, label) in REASONS.items()]
        if claim_type == T.CANCEL:
            del self.fields["pickup_method"]
            del self.fields["photos"]
        for line in lines:
            self.fields[f"line_{line.pk}"] = forms.BooleanField(required=False)
            self.fields[f"quantity_{line.pk}"] = forms.TypedChoiceField(
                coerce=int, required=False, initial=line.claimable_quantity,
                choices=[(n, n) for n in range(1, line.claimable_quantity + 1)])
            if claim_type == T.EXCHANGE:
                options = self.replacements.get(line.pk, [])
                self.fields[f"replacement_{line.pk}"] = forms.TypedChoiceField(
                    coerce=int, required=False, empty_value=None,
                    choices=[("", _("Choose an option"))] + [(sku.pk, sku.option_label or "—") for sku in options])
        if claim_type != T.EXCHANGE and needs_account:
            _refund_account_fields(self, required=True)
        elif claim_type == T.EXCHANGE and needs_account:  # kept in case the exchange becomes a return
            _refund_account_fields(self, required=False)

    # Rows the template walks: each line with its bound fields.
    def line_rows(self):
        for line in self.lines:
            yield {
                "line": line,
                "check": self[f"line_{line.pk}"],
                "quantity": self[f"quantity_{line.pk}"],
                "replacement": self[f"replacement_{line.pk}"] if self.claim_type == T.EXCHANGE else None,
                "options": self.replacements.get(line.pk, []),
            }

    def clean(self):
        data = super().clean()
        items, replacements = [], {}
        for line in self.lines:
            if not data.get(f"line_{line.pk}"):
                continue
            quantity = data.get(f"quantity_{line.pk}") or line.claimable_quantity
            items.append((line.pk, quantity))
            if self.claim_type == T.EXCHANGE:
                sku_id = data.get(f"replacement_{line.pk}")
                if not sku_id:
                    self.add_error(f"replacement_{line.pk}", _("Choose the option you want instead."))
                    continue
                sku = next((s for s in self.replacements.get(line.pk, []) if s.pk == sku_id), None)
                if sku is not None and sku.stock_quantity < 1:
                    self.add_error(f"replacement_{line.pk}", _("This option is sold out."))
                elif sku is not None and sku.stock_quantity < quantity:
                    self.add_error(f"replacement_{line.pk}", _("Only %(count)d of this option are left.") % {
                        "count": sku.stock_quantity})
                replacements[line.pk] = sku_id
        if not items:
            self.add_error(None, _("Choose at least one item."))
        data["items"] = items
        data["replacements"] = replacements
        _clean_refund_account(self, data)
        return data

    @property
    def fault(self) -> str:
        return REASONS[self.cleaned_data["reason"]][0]

    def refund_account(self) -> RefundAccount | None:
        if "refund_account_number" not in self.fields or not self.cleaned_data.get("refund_account_number"):
            return None
        return RefundAccount(bank_code=self.cleaned_data["refund_bank_code"],
                             account_number=self.cleaned_data["refund_account_number"].strip(),
                             holder_name=self.cleaned_data["refund_holder"].strip())


class ReplacementForm(forms.Form):
    """Turning a return into an exchange: the option wanted for each line."""

    def __init__(self, *args, lines: list, replacements: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.replacements = replacements
        for line in lines:
            options = replacements.get(line.pk, [])
            self.fields[f"replacement_{line.pk}"] = forms.TypedChoiceField(
                label=f"{line.product_name} {line.option_label}".strip(), coerce=int,
                choices=[("", _("Choose an option"))] + [(sku.pk, sku.option_label or "—") for sku in options],
                error_messages={"required": _("Choose the option you want instead.")})

    def rows(self):
        for line in self.lines:
            yield {"line": line, "field": self[f"replacement_{line.pk}"], "options": self.replacements.get(line.pk, [])}

    def chosen(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"replacement_{line.pk}"] for line in self.lines}


# --- The console ------------------------------------------------------------------------------

def _courier_choices():
    return [(c.code, c.name) for c in Courier.objects.filter(is_active=True)]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             error_messages={"required": _("Give the reason.")})


class HoldForm(forms.Form):
    """보류: the Naver class, the fee where it is one, the reason the shopper reads, and a private note."""

    reason_code = forms.ChoiceField(label=_("Hold class"), choices=Claim.HoldReason.choices)
    fee_amount = forms.IntegerField(label=_("Fee to pay (won)"), min_value=0, required=False)
    reason = forms.CharField(label=_("Reason shown to the shopper"), max_length=200,
                             error_messages={"required": _("Give the reason.")})
    internal_note = forms.CharField(label=_("Internal note (not shown to the shopper)"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    """Rejecting: the reason; after pickup also its class and the waybill that sends the goods back."""

    reason = forms.CharField(label=_("Reason"), max_length=200, error_messages={"required": _("Give the reason.")})
    reason_code = forms.ChoiceField(label=_("Rejection class"), choices=[("", "—")] + Claim.HoldReason.choices,
                                    required=False)
    courier = forms.ChoiceField(label=_("Courier back to the shopper"), required=False)
    waybill_number = forms.CharField(label=_("Waybill back to the shopper"), max_length=30, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courier"].choices = [("", _("Choose a courier"))] + _courier_choices()


class InspectForm(forms.Form):
    """검수: the condition, a damage deduction with its reason (shown to the shopper), stock or damaged bin."""

    condition = forms.ChoiceField(label=_("Condition"), choices=Claim.Condition.choices)
    restock = forms.TypedChoiceField(label=_("The units go"), coerce=lambda value: value == "stock",
                                     choices=[("stock", _("Back to stock")), ("damaged", _("To the damaged bin"))])
    damage_amount = forms.IntegerField(label=_("Damage deduction (won)"), min_value=0, required=False)
    damage_reason = forms.CharField(label=_("Damage reason (shown to the shopper)"), max_length=200, required=False)


class PickupForm(forms.Form):
    courier = forms.ChoiceField(label=_("Courier"), required=False)
    waybill_number = forms.CharField(label=_("Pickup waybill (optional)"), max_length=30, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courier"].choices = [("", _("Choose a courier"))] + _courier_choices()

    def clean(self):
        data = super().clean()
        if data.get("waybill_number") and not data.get("courier"):
            self.add_error("courier", _("Choose the courier of this waybill."))
        return data


class ShipReplacementForm(forms.Form):
    courier = forms.ChoiceField(label=_("Courier"))
    waybill_number = forms.CharField(label=_("Waybill number"), max_length=30,
                                     widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courier"].choices = _courier_choices()


class BulkClaimForm(forms.Form):
    ACTIONS = {
        "approve": _("Approve"),
        "start_pickup": _("Start pickup"),
        "complete_pickup": _("Pickup done"),
    }
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    claims = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": _("Select at least one claim.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id: the services say per claim whether the step is allowed.
        values = self.data.getlist("claims") if hasattr(self.data, "getlist") else []
        self.fields["claims"].choices = [(v, v) for v in values if str(v).isdigit()]
