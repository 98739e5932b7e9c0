"""Forms of the catalog console: they check input shape only; the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import StockMovement
from catalog.services.stock import MAX_STOCK_QUANTITY, NOTE_MAX_LENGTH

Reason = StockMovement.Reason


class ProductSearchForm(forms.Form):
    q = forms.CharField(label=_("Product name or SKU code"), required=False, max_length=100)


class StockAdjustForm(forms.Form):
    """One stock change of one SKU: goods received, a count, or damaged goods written off."""

    REASONS = [
        (Reason.RECEIVED, _("Received (add)")),
        (Reason.COUNTED, _("Counted (set the stock)")),
        (Reason.DAMAGED, _("Damaged (subtract)")),
    ]

    sku = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=REASONS)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_STOCK_QUANTITY)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") in (Reason.RECEIVED, Reason.DAMAGED) and cleaned.get("quantity") == 0:
            self.add_error("quantity", _("Enter at least 1."))
        return cleaned


class StockImportForm(forms.Form):
    file = forms.FileField(
        label=_("Stock count file"),
        help_text=_("Excel (.xlsx) or CSV with the columns SKU코드 and 수량. The quantity is the counted stock."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one input; each is checked by the image service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files and self.required:
            raise forms.ValidationError(_("Choose at least one image."), code="required")
        return [super(MultipleImageField, self).clean(file, initial) for file in files]


class ProductImageUploadForm(forms.Form):
    MAX_FILES = 10

    images = MultipleImageField(
        label=_("Images"),
        help_text=_("JPEG, PNG, WebP or GIF, up to 10 MB each. You can choose several files."),
    )
    alt = forms.CharField(label=_("Alternative text"), required=False, max_length=120,
                          help_text=_("Describes the picture for screen readers; the product name is used if empty."))

    def clean_images(self):
        files = self.cleaned_data["images"]
        if len(files) > self.MAX_FILES:
            raise forms.ValidationError(_("Upload at most %(max)s files at a time.") % {"max": self.MAX_FILES})
        return files


class ImageMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down"), ("first", "first")])
