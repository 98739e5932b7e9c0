from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CommissionRule, SettlementContract


class ClosePeriodForm(forms.Form):
    cycle = forms.ChoiceField(label=_("Settlement cycle"), choices=SettlementContract.Cycle.choices)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))


class HoldForm(forms.Form):
    seller = forms.IntegerField(label=_("Seller id"))
    order_line = forms.IntegerField(label=_("Order line id (empty: the whole seller)"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    release_on = forms.DateField(label=_("Release on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AdjustmentForm(forms.Form):
    seller = forms.IntegerField(label=_("Seller id"))
    order_line = forms.IntegerField(label=_("Order line id (optional)"), required=False)
    amount = forms.IntegerField(label=_("Amount (won, minus: owed by the seller)"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PayoutBatchForm(forms.Form):
    payout_date = forms.DateField(label=_("Payout date"), widget=forms.DateInput(attrs={"type": "date"}))


class FailureForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CommissionRuleForm(forms.ModelForm):
    class Meta:
        model = CommissionRule
        fields = ["seller", "category", "rate", "valid_from", "valid_until", "reason"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}),
                   "valid_until": forms.DateInput(attrs={"type": "date"})}


class DateRangeForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(label=_("By"), required=False, choices=[("day", _("Day")), ("month", _("Month"))])

    def range(self, *, default_days: int = 30, today: date) -> tuple[date, date]:
        from datetime import timedelta

        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - timedelta(days=default_days - 1)
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        return date_from, min(date_to, date_from + timedelta(days=731))
