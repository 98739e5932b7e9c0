import pytest
from django.core.exceptions import ValidationError

from partners.validators import is_valid_business_number, normalize_business_number, validate_business_number


@pytest.mark.parametrize("number", ["220-81-62517", "1248100998", "124-81-00998", "120-81-47521"])
def test_valid_business_numbers(number):
    validate_business_number(number)
    assert is_valid_business_number(number)


@pytest.mark.parametrize("number", ["220-81-62518", "1248100999", "123-45-67890"])
def test_a_wrong_check_digit_is_refused(number):
    with pytest.raises(ValidationError) as error:
        validate_business_number(number)

    assert error.value.code == "checksum"


@pytest.mark.parametrize("number", ["", "220-81-6251", "22081625171", "220-81-6251a", "2208-1-62517", "abc"])
def test_a_wrong_format_is_refused(number):
    with pytest.raises(ValidationError) as error:
        validate_business_number(number)

    assert error.value.code == "format"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("1248100998", "124-81-00998"), ("124-81-00998", "124-81-00998"), ("124 81 00998", "124-81-00998")],
)
def test_normalize_business_number(raw, normalized):
    assert normalize_business_number(raw) == normalized
