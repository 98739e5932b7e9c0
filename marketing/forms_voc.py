from django import forms
from django.utils.translation import gettext_lazy as _

from marketing.models import Inquiry


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (by content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Rating"), coerce=int, choices=[(n, n) for n in range(5, 0, -1)],
                                    widget=forms.RadioSelect)
    body = forms.CharField(label=_("Review"), widget=forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
                           max_length=2000)
    photos = MultipleFileField(label=_("Photos (up to 5)"))


class QuestionForm(forms.Form):
    body = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
                           max_length=1000)
    is_secret = forms.BooleanField(label=_("Secret question (only you and the seller can read it)"), required=False)


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
                           max_length=2000)


class InquiryForm(forms.Form):
    category = forms.ChoiceField(label=_("About"), choices=Inquiry.Category.choices)
    order_line = forms.ChoiceField(label=_("Order"), required=False)
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
                           max_length=4000)
    files = MultipleFileField(label=_("Attachments (up to 3 photos or PDF files)"),
                              widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Not about an order"))]
        for line in lines:
            label = f"{line.order.number} · {line.product_name}"
            if line.option_label:
                label += f" ({line.option_label})"
            choices.append((f"{line.order_id}:{line.pk}", label))
        self.fields["order_line"].choices = choices


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
                           max_length=4000)


class SurveyForm(forms.Form):
    nps = forms.TypedChoiceField(label=_("How likely are you to recommend MarketOn to a friend?"), coerce=int,
                                 choices=[(n, n) for n in range(0, 11)], widget=forms.RadioSelect)
    answer_1 = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
                               max_length=1000)
    answer_2 = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
                               max_length=1000)
    comment = forms.CharField(label=_("Anything else?"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}), max_length=2000)
