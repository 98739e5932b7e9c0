from io import StringIO

import pytest
from django.core.management import call_command

from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_demo_logins_prints_the_accounts_password_and_urls():
    UserFactory(email="shopper@example.com")
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    for email in ("shopper@example.com", "operator@example.com", "admin@example.com", "seller1@example.com",
                  "seller2@example.com"):
        assert email in text
    assert "demo1234!" in text
    assert "http://127.0.0.1:8000/" in text and "/console/" in text and "/django-admin/" in text
    assert "(not created yet)" in text  # operator@… does not exist in this database
    assert text.count("(not created yet)") == 6


@pytest.mark.django_db
def test_demo_logins_takes_another_base_url():
    out = StringIO()

    call_command("demo_logins", "--base-url", "http://127.0.0.1:8104/", stdout=out)

    assert "http://127.0.0.1:8104/console/" in out.getvalue()
    assert "run `python manage.py seed_demo`" in out.getvalue()
