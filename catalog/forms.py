"""Forms of the catalog console: they check input shape only; the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import notices
from catalog.models import Brand, Category, Product, StockMovement
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


class ImageOrderForm(forms.Form):
    """The whole order at once (drag and drop in the editor): image ids, comma separated, main first."""

    order = forms.RegexField(regex=r"^\d+(,\d+)*$", max_length=400)

    def clean_order(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["order"].split(",")]


# --- The product editor (seller portal and console) ----------------------------------------------

class ProductEditorForm(forms.Form):
    """The editor's fields. Options and the SKU matrix arrive as ``option-N-*`` and ``row-N-*``
    fields that ``editor_options`` reads; the notice as ``notice-<key>`` for every known key."""

    OPTION_KINDS = [
        ("none", _("No options")),
        ("single", _("Single (one option group)")),
        ("combination", _("Combination (2–3 option groups)")),
    ]
    STATUSES = [
        (Product.Status.ON_SALE, _("On sale")),
        (Product.Status.SOLD_OUT, _("Sold out")),
        (Product.Status.HIDDEN, _("Hidden")),
    ]

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(),
                                      empty_label=_("Choose a category"))
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.all(), required=False,
                                   empty_label=_("No brand"))
    name = forms.CharField(label=_("Product name"), max_length=100,
                           help_text=_("What shoppers search for: brand, kind and main feature (up to 100 characters)."))
    summary = forms.CharField(label=_("One-line summary"), max_length=200, required=False)
    list_price_amount = forms.IntegerField(label=_("List price"), min_value=10, max_value=1_000_000_000)
    sale_price_amount = forms.IntegerField(label=_("Sale price"), min_value=10, max_value=1_000_000_000,
                                           help_text=_("What the shopper pays; at most the list price."))
    option_kind = forms.ChoiceField(label=_("Options"), choices=OPTION_KINDS, widget=forms.RadioSelect,
                                    initial="none")
    description_html = forms.CharField(label=_("Detail description"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 10}),
                                       help_text=_("HTML is allowed; scripts and styles are removed."))
    points_rate_percent = forms.DecimalField(label=_("Points rate (%)"), required=False, min_value=0, max_value=50,
                                             decimal_places=1, max_digits=4,
                                             help_text=_("Empty uses the shop's rate."))
    status = forms.ChoiceField(label=_("Sale status"), choices=STATUSES, initial=Product.Status.ON_SALE,
                               widget=forms.RadioSelect)
    images = MultipleImageField(label=_("Add images"), required=False,
                                help_text=_("JPEG, PNG, WebP or GIF, up to 10 MB each; the first is the main image."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("path")
        self.fields["category"].label_from_instance = lambda category: ("— " * category.depth) + category.name
        for key, label in notices.FIELDS.items():
            self.fields[f"notice-{key}"] = forms.CharField(label=label, required=False, max_length=500)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.RadioSelect | forms.ClearableFileInput):
                field.widget.attrs.setdefault("class", "input")

    def clean(self):
        cleaned = super().clean()
        listed, sale = cleaned.get("list_price_amount"), cleaned.get("sale_price_amount")
        if listed is not None and sale is not None and sale > listed:
            self.add_error("sale_price_amount", _("The sale price may not exceed the list price."))
        if len(cleaned.get("images") or []) > ProductImageUploadForm.MAX_FILES:
            self.add_error("images", _("Upload at most %(max)s files at a time.")
                           % {"max": ProductImageUploadForm.MAX_FILES})
        return cleaned

    def notice(self) -> dict:
        return {key: self.cleaned_data.get(f"notice-{key}", "") for key in notices.FIELDS}

    def notice_fields(self):
        """(bound field, the groups it belongs to) for the template's show/hide by category."""
        groups_of: dict[str, list[str]] = {}
        for code, (_label, keys) in notices.GROUPS.items():
            for key in keys:
                groups_of.setdefault(key, []).append(code)
        return [(self[f"notice-{key}"], " ".join(groups_of.get(key, []))) for key in notices.FIELDS]


def _number(text: str, default: int = 0) -> int | None:
    text = (text or "").replace(",", "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        return None


def editor_options(data, kind: str) -> tuple[list, list, list[str]]:
    """The option groups and matrix rows posted by the editor: (specs, rows, errors).

    ``option-N-name`` / ``option-N-values`` (comma separated) for N = 0..2, and ``row-N-label``,
    ``-delta``, ``-stock``, ``-code``, ``-active`` for each matrix row.
    """
    from catalog.services.products import MAX_OPTION_GROUPS, OptionRow, OptionSpec

    errors: list[str] = []
    specs = []
    if kind in ("single", "combination"):
        for index in range(1 if kind == "single" else MAX_OPTION_GROUPS):
            name = (data.get(f"option-{index}-name") or "").strip()
            values = [value.strip() for value in (data.get(f"option-{index}-values") or "").split(",")]
            values = [value for value in values if value]
            if name or values:
                specs.append(OptionSpec(name=name, values=values))
        if kind == "single" and len(specs) != 1:
            errors.append(str(_("Enter the option name and its values.")))
        if kind == "combination" and len(specs) < 2:
            errors.append(str(_("A combination needs two or three option groups, each with a name and values.")))
    rows = []
    try:
        count = min(int(data.get("row-count") or 0), 10_000)
    except ValueError:
        count = 0
    for index in range(count):
        label = data.get(f"row-{index}-label")
        if label is None:
            continue
        delta, stock = _number(data.get(f"row-{index}-delta")), _number(data.get(f"row-{index}-stock"))
        if delta is None or stock is None:
            errors.append(str(_("%(option)s: enter whole numbers for the price difference and the stock.")
                              % {"option": label or _("the product")}))
            continue
        values = tuple(part.strip() for part in label.split(" / ")) if label else ()
        rows.append(OptionRow(values=values, price_delta_amount=delta, stock_quantity=stock,
                              code=(data.get(f"row-{index}-code") or "").strip(),
                              is_active=bool(data.get(f"row-{index}-active"))))
    return specs, rows, errors


class ProductReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason (told to the seller)"), required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the seller a reason for the rejection."))
        return cleaned


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
