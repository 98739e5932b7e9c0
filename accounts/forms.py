from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Address, User, phone_validator
from accounts.services import normalize_email, normalize_phone


class EmailAuthenticationForm(AuthenticationForm):
    """Log in by email. The field keeps Django's name ``username`` so django-axes counts failures."""

    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "inputmode": "email", "autocapitalize": "none",
                   "placeholder": "example@email.com"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "The email or password is not correct. Please check them and try again."
        ),
        "inactive": _("This account is not active."),
    }

    def clean_username(self) -> str:
        return normalize_email(self.cleaned_data.get("username"))


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("You log in with this address; we also send order updates to it."),
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none",
                   "placeholder": "example@email.com"}
        ),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters; not only numbers, not too common."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    name = forms.CharField(
        label=_("Name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel", "placeholder": "010-1234-5678"}
        ),
    )
    agree_terms = forms.BooleanField(
        label=_("[Required] I agree to the terms of use and to the collection and use of my personal information."),
        error_messages={"required": _("Please agree to the terms of use to sign up.")},
    )
    marketing_opt_in = forms.BooleanField(
        label=_("[Optional] Send me news about sales and coupons by email and text message."),
        required=False,
    )

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("This email address is already registered."), code="email_taken")
        return email

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(_("The two passwords do not match."), code="mismatch"))
        if password1:
            probe = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                validate_password(password1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AddressForm(forms.ModelForm):
    is_default = forms.BooleanField(label=_("Set as my default address"), required=False)

    class Meta:
        model = Address
        fields = ["label", "recipient", "phone", "postcode", "address1", "address2", "delivery_request"]
        help_texts = {
            "label": _("For example: Home, Office"),
            "postcode": _("Five digits, e.g. 06236"),
        }
        widgets = {
            "label": forms.TextInput(attrs={"placeholder": pgettext_lazy("example of an address name", "Home")}),
            "recipient": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"}
            ),
            "postcode": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": 5, "placeholder": "06236"}
            ),
            "address1": forms.TextInput(
                attrs={"autocomplete": "address-line1", "placeholder": _("Road name address, e.g. 152 Teheran-ro, Gangnam-gu, Seoul")}
            ),
            "address2": forms.TextInput(
                attrs={"autocomplete": "address-line2", "placeholder": _("Building, floor, unit")}
            ),
            "delivery_request": forms.TextInput(
                attrs={"placeholder": _("e.g. Please leave it at the door.")}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_default:
            # The default stays the default until the shopper picks another one.
            self.fields["is_default"].initial = True
            self.fields["is_default"].disabled = True
            self.fields["is_default"].help_text = _("This is your default address.")

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean_postcode(self) -> str:
        return (self.cleaned_data["postcode"] or "").strip()
