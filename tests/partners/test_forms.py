import pytest

from partners.forms import SellerApplicationForm, ShippingPolicyForm

DATA = {
    "name": "봄날상회",
    "business_name": "(주)봄날",
    "business_number": "1248100998",
    "representative": "김대표",
    "contact_name": "이담당",
    "contact_phone": "02-1234-5678",
    "contact_email": "spring@example.com",
}


def test_application_form_normalises_the_business_number():
    form = SellerApplicationForm(DATA)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["business_number"] == "124-81-00998"


@pytest.mark.parametrize("number", ["124-81-00999", "12345"])
def test_application_form_rejects_bad_numbers(number):
    form = SellerApplicationForm({**DATA, "business_number": number})

    assert not form.is_valid()
    assert form.errors["business_number"]


def test_shipping_policy_form_limits():
    data = {
        "courier_name": "CJ대한통운", "base_fee_amount": -1, "free_threshold_amount": 50000,
        "return_fee_amount": 3000, "exchange_fee_amount": 6000, "jeju_surcharge_amount": 3000,
        "island_surcharge_amount": 5000, "ship_within_days": 30, "return_address": "",
    }

    form = ShippingPolicyForm(data)

    assert not form.is_valid()
    assert set(form.errors) == {"base_fee_amount", "ship_within_days"}
