"""Excel files: a statement (identical to its screen), the bank transfer file, the commission tax
invoices in the layout operators paste into Hometax's bulk issue form."""

import io
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _
from openpyxl import Workbook

from . import sources
from .models import LedgerEntry, PayoutBatch, Statement
from .selectors import StatementView, with_totals

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def statement_columns() -> list[str]:
    return [_("Order number"), _("Product"), _("Quantity"), _("Refunded units"), _("Sale"), _("Shipping fee"),
            _("Commission rate (%)"), _("Commission"), _("Seller-funded coupon"), _("Claims"), _("Fees kept"),
            _("Review rewards and affiliate fees"), _("Settlement amount"), _("Legal due date")]


def statement_rows(view: StatementView) -> list[list]:
    """The rows of the statement's table, the same for the screen and the file."""
    rows = []
    for row in view.lines:
        line = row.line
        rows.append([line.order.number, f"{line.product_name} {line.option_label}".strip(), line.quantity,
                     line.refunded_quantity, row.sale, row.shipping, str(row.rate) if row.rate is not None else "",
                     row.commission, row.seller_coupon, row.claims, row.fees, row.marketing, row.total,
                     row.due_on.isoformat() if row.due_on else ""])
    for entry in view.other:
        label = LedgerEntry.Kind(entry.kind).label
        rows.append(["", f"{label}: {entry.reason}" if entry.reason else str(label), "", "", "", "", "", "", "", "",
                     "", "", entry.amount, ""])
    return rows


def statement_workbook(view: StatementView) -> bytes:
    statement = view.statement
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "statement"
    sheet.append([_("Seller"), statement.seller.name, _("Period"),
                  f"{statement.period_start.isoformat()} – {statement.period_end.isoformat()}",
                  _("Payout date"), statement.payout_due_on.isoformat(), _("Status"), str(statement.get_status_display())])
    sheet.append(statement_columns())
    for row in statement_rows(view):
        sheet.append(row)
    sums = view.sums
    sheet.append([_("Total"), "", "", "", sums["sale"], sums["shipping"], "", sums["commission"],
                  sums["seller_coupon"], sums["claims"], sums["fees"], sums["marketing"], sums["total"], ""])
    return _bytes(workbook)


def statement_filename(statement: Statement) -> str:
    return f"settlement-{statement.seller.slug}-{statement.period_start:%Y%m%d}-{statement.period_end:%Y%m%d}.xlsx"


def bank_transfer_workbook(batch: PayoutBatch) -> bytes:
    """One row per seller: bank, account, holder, amount (what the bank's bulk transfer takes)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "transfers"
    sheet.append([_("Bank"), _("Account number"), _("Account holder"), _("Amount"), _("Seller"), _("Statement")])
    statements = with_totals(batch.statements.select_related("seller")).order_by("seller__name")
    for statement in statements:
        account = sources.seller_bank_account(statement.seller)
        sheet.append([account.bank_name, account.account_number, account.holder, statement.total_amount or 0,
                      statement.seller.name, statement.pk])
    return _bytes(workbook)


def vat_split(total: int) -> tuple[int, int]:
    """A VAT-inclusive amount split into supply amount and VAT (10 %): supply = floor(total × 10 / 11)."""
    supply = total * 10 // 11
    return supply, total - supply


def commission_invoices(month: date) -> list[dict]:
    """Per seller: the commission the platform earned in ``month`` (rows effective that month,
    claims netted), VAT included, split into supply amount and VAT."""
    from .services.periods import local_midnight, period_of

    start, end = period_of(month, "monthly")
    rows = (LedgerEntry.objects.filter(kind__in=(LedgerEntry.Kind.COMMISSION, LedgerEntry.Kind.CLAIM_COMMISSION),
                                       effective_at__gte=local_midnight(start),
                                       effective_at__lt=local_midnight(end + timedelta(days=1)))
            .values("seller_id", "seller__name", "seller__business_name", "seller__business_number",
                    "seller__representative", "seller__contact_email")
            .annotate(total=Sum("amount")).order_by("seller__name"))
    invoices = []
    for row in rows:
        commission = -(row["total"] or 0)
        if commission <= 0:
            continue
        supply, vat = vat_split(commission)
        invoices.append({"seller_id": row["seller_id"], "name": row["seller__name"],
                         "business_name": row["seller__business_name"],
                         "business_number": row["seller__business_number"],
                         "representative": row["seller__representative"], "email": row["seller__contact_email"],
                         "commission": commission, "supply": supply, "vat": vat, "written_on": end})
    return invoices


HOMETAX_COLUMNS = [
    "종류", "작성일자", "공급자 등록번호", "공급자 상호", "공급자 성명", "공급받는자 등록번호", "공급받는자 상호",
    "공급받는자 성명", "공급받는자 이메일", "공급가액", "세액", "품목일자", "품목", "품목 공급가액", "품목 세액", "영수/청구",
]


def tax_invoice_workbook(month: date) -> bytes:
    """The Hometax bulk-issue layout (one invoice a row; codes: 01 일반 세금계산서, 02 청구)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "hometax"
    sheet.append(HOMETAX_COLUMNS)
    platform_number = getattr(settings, "MARKETPLACE_BUSINESS_NUMBER", "")
    platform_name = getattr(settings, "MARKETPLACE_BUSINESS_NAME", "MarketOn")
    platform_ceo = getattr(settings, "MARKETPLACE_REPRESENTATIVE", "")
    for invoice in commission_invoices(month):
        written = invoice["written_on"]
        sheet.append(["01", written.strftime("%Y%m%d"), platform_number, platform_name, platform_ceo,
                      invoice["business_number"].replace("-", ""), invoice["business_name"],
                      invoice["representative"], invoice["email"], invoice["supply"], invoice["vat"],
                      written.strftime("%d"), f"판매수수료 {written:%Y-%m}", invoice["supply"], invoice["vat"], "02"])
    return _bytes(workbook)
