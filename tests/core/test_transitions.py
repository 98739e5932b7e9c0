import pytest

from catalog.models import Product
from catalog.services import PRODUCT_STATUS_TRANSITIONS, change_product_status
from core.exceptions import TransitionNotAllowed
from core.models import StatusChange
from core.transitions import history
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.catalog.factories import ProductFactory

Status = Product.Status
ALL = list(Status)


@pytest.mark.django_db
@pytest.mark.parametrize("actor_kind", ["seller", "operator"])
@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_product_status_matrix(actor_kind, current, target):
    product = ProductFactory(status=current)
    actor = OperatorFactory() if actor_kind == "operator" else UserFactory()
    allowed = target in PRODUCT_STATUS_TRANSITIONS[actor_kind][current]
    if allowed:
        change_product_status(product_id=product.pk, to=target, actor=actor,
                              as_operator=actor_kind == "operator", reason="test")
        product.refresh_from_db()
        assert product.status == target
        change = history(product).get()
        assert (change.from_status, change.to_status, change.actor, change.reason) == (current, target, actor, "test")
    else:
        with pytest.raises(TransitionNotAllowed):
            change_product_status(product_id=product.pk, to=target, actor=actor,
                                  as_operator=actor_kind == "operator")
        product.refresh_from_db()
        assert product.status == current
        assert not StatusChange.objects.exists()
