"""Address-book writes of one shopper from two requests at once (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection

from accounts import services
from accounts.models import Address
from tests.accounts.factories import UserFactory

ADDRESS = {"recipient": "홍길동", "phone": "010-1234-5678", "postcode": "06236", "address1": "서울 강남구 테헤란로 152"}


@pytest.fixture
def _restore_operator_groups():
    """A transactional test flushes the tables, including the groups the migration created."""
    yield
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import GROUP_PERMISSIONS

    for name, permissions in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in permissions:
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission:
                group.permissions.add(permission)


def _run_together(*targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as error:  # collected and asserted in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_restore_operator_groups")
def test_concurrent_default_changes_leave_exactly_one_default():
    user = UserFactory()
    addresses = [services.create_address(user=user, **ADDRESS) for _ in range(4)]

    for _ in range(5):
        errors = _run_together(
            *[lambda a=a: services.set_default_address(user=user, address_id=a.pk) for a in addresses[1:]]
        )
        assert errors == []
        assert Address.objects.filter(user=user, is_default=True).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_restore_operator_groups")
def test_concurrent_first_addresses_make_exactly_one_default():
    user = UserFactory()

    errors = _run_together(*[lambda: services.create_address(user=user, **ADDRESS) for _ in range(4)])

    assert errors == []
    assert Address.objects.filter(user=user).count() == 4
    assert Address.objects.filter(user=user, is_default=True).count() == 1
