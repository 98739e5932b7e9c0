"""Payout batches, the bank transfer file, failed transfers back to the balance, tax invoices and
`manage.py reconcile` (issue 11)."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from core.exceptions import DomainError
from settlement import sources
from settlement.exports import bank_transfer_workbook, commission_invoices, tax_invoice_workbook, vat_split
from settlement.models import LedgerEntry, Statement
from settlement.services import (
    close_settlement_period,
    create_payout_batch,
    mark_statement_failed,
    mark_statement_paid,
)
from tests.accounts.factories import OperatorFactory
from tests.orders.factories import make_product

from .helpers import at, confirm, deliver, paid_order

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 2)


def one_statement(settings, price=30000, rate="10"):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = rate
    _, (sku,) = make_product(price=price, stock=9, fee=0, free_threshold=0)
    order = paid_order([(sku.pk, 1)])
    deliver(order)
    confirm(order.lines.get(), on=date(2026, 11, 4))
    close_settlement_period(cycle="weekly", period_start=MONDAY, now=at(date(2026, 11, 20)))
    return Statement.objects.get(seller=sku.product.seller)


@pytest.fixture
def verified(monkeypatch):
    def account(seller):
        return sources.BankAccount("국민은행", f"123-45-{seller.pk:06d}", seller.representative, True)

    monkeypatch.setattr(sources, "seller_bank_account", account)


def test_a_seller_without_a_verified_bank_account_is_held_out_of_the_batch(settings):
    statement = one_statement(settings)
    batch, held = create_payout_batch(payout_date=statement.payout_due_on, actor=OperatorFactory())
    assert held == [statement] and not batch.statements.exists()


def test_the_bank_file_has_one_row_per_seller_and_paid_statements_record_what_was_sent(settings, verified):
    statement = one_statement(settings)
    operator = OperatorFactory()
    early, _held = create_payout_batch(payout_date=date(2026, 11, 30), actor=operator)
    assert not early.statements.exists()  # not due yet
    batch, held = create_payout_batch(payout_date=statement.payout_due_on, actor=operator)
    assert held == [] and list(batch.statements.all()) == [statement]
    rows = list(load_workbook(io.BytesIO(bank_transfer_workbook(batch))).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("국민은행", f"123-45-{statement.seller_id:06d}", statement.seller.representative, 27000)
    mark_statement_paid(statement_id=statement.pk, actor=operator)
    statement.refresh_from_db()
    assert (statement.status, statement.paid_amount) == ("paid", 27000)
    with pytest.raises(DomainError):
        mark_statement_failed(statement_id=statement.pk, actor=operator, reason="late bounce")
    statement.refresh_from_db()
    assert statement.status == "paid" and LedgerEntry.objects.filter(statement=statement).count() == 2


def test_a_failed_transfer_goes_back_to_the_balance_and_is_carried_into_the_next_statement(settings):
    statement = one_statement(settings)
    mark_statement_failed(statement_id=statement.pk, actor=OperatorFactory(), reason="계좌 해지")
    statement.refresh_from_db()
    assert statement.status == "failed"
    assert sum(LedgerEntry.objects.filter(statement=statement).values_list("amount", flat=True)) == 0
    close_settlement_period(cycle="weekly", period_start=date(2026, 11, 9), now=at(date(2026, 11, 20)))
    following = Statement.objects.get(period_start=date(2026, 11, 9))
    assert list(LedgerEntry.objects.filter(statement=following).values_list("kind", "amount")) == [
        ("carry_over", 27000)]


def test_commission_tax_invoices_split_the_vat_and_fill_the_hometax_layout(settings):
    statement = one_statement(settings, price=110000)  # commission 11,000 = 10,000 supply + 1,000 VAT
    assert vat_split(11000) == (10000, 1000) and vat_split(1001) == (910, 91)
    (invoice,) = commission_invoices(date(2026, 11, 1))
    assert (invoice["commission"], invoice["supply"], invoice["vat"]) == (11000, 10000, 1000)
    rows = list(load_workbook(io.BytesIO(tax_invoice_workbook(date(2026, 11, 1)))).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("종류", "작성일자")
    assert rows[1][0:2] == ("01", "20261130")
    assert rows[1][5] == statement.seller.business_number.replace("-", "")
    assert rows[1][9:11] == (10000, 1000)


def test_reconcile_prints_both_sides_and_fails_on_a_difference(settings, capsys):
    statement = one_statement(settings)
    call_command("reconcile", "--from", "2026-01-01", "--to", "2027-12-31")
    out = capsys.readouterr().out
    assert "[OK  ] Orders placed = PG captured + points + coupons" in out
    assert "Everything balances to the won." in out
    # A forged ledger row (as a bug would write) breaks the settled-lines equation.
    line_entry = LedgerEntry.objects.filter(statement=statement, kind="sale").get()
    LedgerEntry.objects.create(seller_id=statement.seller_id, statement=statement, order_line_id=line_entry.order_line_id,
                               kind="sale", amount=1, effective_at=line_entry.effective_at,
                               created_at=line_entry.created_at)
    with pytest.raises(CommandError):
        call_command("reconcile", "--from", "2026-01-01", "--to", "2027-12-31")
    assert "[DIFF] Settled lines" in capsys.readouterr().out
