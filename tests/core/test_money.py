from hypothesis import given
from hypothesis import strategies as st

from core.money import allocate, discount_rate, format_won, percent_of


def test_allocate_gives_the_remainder_to_the_largest_remainders():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(1000, [30000, 20000, 10000]) == [500, 333, 167]


def test_allocate_with_all_zero_weights_splits_evenly():
    assert allocate(5, [0, 0]) == [3, 2]


@given(total=st.integers(0, 10**9), weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
def test_allocate_always_sums_exactly_and_never_goes_negative(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    if sum(weights):
        # each part is within one won of its exact pro-rata share
        for part, weight in zip(parts, weights, strict=True):
            assert abs(part - total * weight / sum(weights)) < 1


def test_percent_rounds_down_to_whole_won():
    assert percent_of(12345, 10) == 1234
    assert percent_of(12345, "10.5") == 1296


def test_discount_rate_and_format():
    assert discount_rate(20000, 15900) == 20
    assert discount_rate(0, 0) == 0
    assert format_won(12900) == "12,900원"
