from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import phone_validator, postcode_validator
from orders.models import PaymentMethod
from orders.payments.sandbox import BANKS
from orders.services.checkout import INSTALLMENT_MONTHS


class AddToCartForm(forms.Form):
    sku = forms.IntegerField(min_value=1, error_messages={"required": _("Choose an option.")})
    quantity = forms.IntegerField(min_value=1, max_value=99, initial=1)
    buy_now = forms.BooleanField(required=False)
    action = forms.ChoiceField(required=False, choices=[("cart", "cart"), ("buy", "buy")])

    def clean(self):
        data = super().clean()
        data["buy_now"] = data.get("buy_now") or data.get("action") == "buy"
        return data


def new_checkout_token() -> str:
    """A one-time token for one checkout form: its order is placed once, however often it is posted."""
    import secrets

    return secrets.token_urlsafe(24)


class CheckoutForm(forms.Form):
    checkout_token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput, error_messages={
        "required": _("This checkout page has expired. Please check your order and pay again."),
        "invalid": _("This checkout page has expired. Please check your order and pay again.")})
    address_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    recipient = forms.CharField(label=_("Recipient"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, validators=[phone_validator])
    postcode = forms.CharField(label=_("Postcode"), max_length=5, validators=[postcode_validator])
    address1 = forms.CharField(label=_("Address"), max_length=200)
    address2 = forms.CharField(label=_("Address detail"), max_length=200, required=False)
    delivery_request = forms.CharField(label=_("Delivery request"), max_length=200, required=False)
    save_address = forms.BooleanField(label=_("Save to my address book"), required=False)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices,
                                       widget=forms.RadioSelect, initial=PaymentMethod.CARD)
    installment_months = forms.TypedChoiceField(
        label=_("Installments"), coerce=int, required=False, empty_value=0,
        choices=[(m, _("Pay in full") if m == 0 else _("%(months)d months") % {"months": m}) for m in INSTALLMENT_MONTHS],
    )
    points_amount = forms.IntegerField(label=_("Points to use"), min_value=0, required=False)
    agree = forms.BooleanField(label=_("I have checked the order and agree to pay."),
                               error_messages={"required": _("Please agree before paying.")})


class SandboxApproveForm(forms.Form):
    card_company = forms.CharField(required=False, max_length=40)
    installment_months = forms.IntegerField(required=False, min_value=0, max_value=36)
    bank_code = forms.ChoiceField(required=False, choices=[("", "-")] + list(BANKS.items()))


class RefundAccountForm(forms.Form):
    bank_code = forms.ChoiceField(label=_("Bank"), choices=list(BANKS.items()))
    account_number = forms.RegexField(label=_("Account number"), regex=r"^[0-9-]{8,20}$")
    holder_name = forms.CharField(label=_("Account holder"), max_length=60)


class DepositRefundAccountForm(forms.Form):
    """The shopper's bank account for money received after the order ended (a virtual-account deposit)."""

    refund_bank_code = forms.ChoiceField(label=_("Bank"))
    refund_account_number = forms.CharField(label=_("Account number"), max_length=40,
                                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                          "autocomplete": "off"}))
    refund_holder = forms.CharField(label=_("Account holder"), max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["refund_bank_code"].choices = [("", _("Choose a bank"))] + list(BANKS.items())

    def clean_refund_account_number(self):
        number = self.cleaned_data["refund_account_number"].replace("-", "").replace(" ", "")
        if not number.isdigit():
            raise forms.ValidationError(_("Enter the account number in digits."))
        return number

    def refund_account(self):
        from orders.payments import RefundAccount

        return RefundAccount(self.cleaned_data["refund_bank_code"], self.cleaned_data["refund_account_number"],
                             self.cleaned_data["refund_holder"].strip())
