"""Forms of the CMS, report and affiliate pages. They parse input; the services hold the rules."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketing.forms import DateTimeLocalInput, ProductIdsField
from marketing.models import Coupon
from marketing.models_affiliate import Affiliate, AffiliateCategoryRate
from marketing.models_cms import Banner, Exhibition, ExhibitionSection, Faq, Notice
from marketing.models_funnel import Visit

MAX_REPORT_DAYS = 366


class BannerForm(forms.ModelForm):
    class Meta:
        model = Banner
        fields = ["slot", "title", "subtitle", "image_desktop", "image_mobile", "link_url", "starts_at", "ends_at",
                  "audience", "sort_order", "is_active"]
        widgets = {"starts_at": DateTimeLocalInput, "ends_at": DateTimeLocalInput,
                   "image_desktop": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
                   "image_mobile": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}

    def _post_clean(self):
        pass  # the service validates images, links and the schedule

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["image_desktop"] = self.files.get("image_desktop")
        data["image_mobile"] = self.files.get("image_mobile")
        return data


class ExhibitionForm(forms.ModelForm):
    coupons = forms.ModelMultipleChoiceField(label=_("Coupons to download"), required=False,
                                             queryset=Coupon.objects.none(),
                                             widget=forms.SelectMultiple(attrs={"size": 6}))

    class Meta:
        model = Exhibition
        fields = ["slug", "title", "summary", "body_html", "hero_image", "starts_at", "ends_at", "is_published",
                  "coupons"]
        widgets = {"starts_at": DateTimeLocalInput, "ends_at": DateTimeLocalInput,
                   "body_html": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"slug": _("Letters, digits and hyphens: /exhibitions/<address>/")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coupons"].queryset = Coupon.objects.filter(downloadable=True).exclude(
            status=Coupon.Status.ENDED).order_by("-id")

    def _post_clean(self):
        pass

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["hero_image"] = self.files.get("hero_image")
        data["coupons"] = list(data.get("coupons") or [])
        data["body_html"] = data.get("body_html") or ""
        return data


class SectionForm(forms.ModelForm):
    products = ProductIdsField(label=_("Products"), required=False,
                               help_text=_("Product numbers separated by commas (picked by hand)."))

    class Meta:
        model = ExhibitionSection
        fields = ["title", "sort_order", "kind", "products", "rule_category", "rule_seller", "rule_brand",
                  "rule_min_discount_percent", "limit"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ExhibitionSection.Kind.choices
        if self.instance.pk and not self.is_bound:
            self.initial["products"] = ", ".join(str(pk) for pk in self.instance.products.values_list("pk", flat=True))

    def _post_clean(self):
        pass

    def service_fields(self) -> dict:
        from catalog.models import Product

        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["products"] = list(Product.objects.filter(pk__in=data.get("products") or []))
        return data


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["audience", "title", "body_html", "is_pinned", "is_published", "published_at"]
        widgets = {"published_at": DateTimeLocalInput, "body_html": forms.Textarea(attrs={"rows": 10})}


class FaqForm(forms.ModelForm):
    class Meta:
        model = Faq
        fields = ["topic", "question", "answer_html", "sort_order", "is_published"]
        widgets = {"answer_html": forms.Textarea(attrs={"rows": 6})}


class ReportFilterForm(forms.Form):
    """Date range (at most a year) and optional source / medium / campaign / device."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label=_("Source"), required=False, max_length=100)
    medium = forms.CharField(label=_("Medium"), required=False, max_length=100)
    campaign = forms.CharField(label=_("Campaign"), required=False, max_length=100)
    device = forms.ChoiceField(label=_("Device"), required=False,
                               choices=[("", _("All devices")), *Visit.Device.choices])

    def filters(self):
        from marketing.selectors_reports import ReportFilters

        self.is_valid()
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=29)
        if start > end:
            start, end = end, start
        if (end - start).days > MAX_REPORT_DAYS:
            start = end - timedelta(days=MAX_REPORT_DAYS)
        return ReportFilters(start=start, end=end, source=data.get("source") or "", medium=data.get("medium") or "",
                             campaign=data.get("campaign") or "", device=data.get("device") or "")


class AffiliateApplyForm(forms.ModelForm):
    class Meta:
        model = Affiliate
        fields = ["kind", "name", "business_number", "channel_url", "bank_name", "account_number", "account_holder"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Affiliate.Kind.choices

    def _post_clean(self):
        pass


class AffiliateLinkForm(forms.Form):
    target_path = forms.CharField(label=_("Page address"), max_length=300,
                                  help_text=_("A product or any page of this shop, e.g. /products/123/"))
    label = forms.CharField(label=_("Label"), max_length=80, required=False)


class AffiliateDecisionForm(forms.Form):
    to = forms.ChoiceField(choices=Affiliate.Status.choices)
    note = forms.CharField(max_length=200, required=False)


class CategoryRateForm(forms.ModelForm):
    class Meta:
        model = AffiliateCategoryRate
        fields = ["category", "rate_percent"]
        labels = {"category": _("Category")}


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))

    def month_start(self) -> date:
        return self.cleaned_data["month"].replace(day=1)
