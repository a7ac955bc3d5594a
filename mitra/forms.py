"""Forms of the partner-need pages.

They only shape what a person types into what mitra.services expects (a budget typed as
"4.000.000", a quantity typed as "2,5"); the services do the real checks, and
`apply_service_errors` puts their messages back on the fields.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import apply_service_errors
from marketplace.forms import RupiahField, category_filter_choices
from marketplace.forms import category_choices as product_category_choices
from marketplace.models import Category, Certification
from mitra.models import Need
from regions.codes import Level
from regions.forms import RegionField
from regions.selectors import region_list

__all__ = ["BoardFilterForm", "CloseForm", "NeedForm", "apply_service_errors"]

# "5", "2,5" and "2.5" (a decimal), "1.000" and "1.000,5" (Indonesian thousands dots).
THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
PLAIN = re.compile(r"\d+(?:[.,]\d+)?")


class QuantityField(forms.CharField):
    """A quantity as a person types it in Indonesia: a decimal comma, thousands dots."""

    default_error_messages = {
        "invalid": _("Give the quantity as a number, e.g. 5 or 2,5."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 20}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        text = text.replace(" ", "").replace("\u00a0", "")
        if THOUSANDS.fullmatch(text):
            text = text.replace(".", "").replace(",", ".")
        elif PLAIN.fullmatch(text):
            text = text.replace(",", ".")
        else:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NeedForm(forms.Form):
    """A partner need as its organisation writes it: what, how much and how often, for how
    much, delivered where and by when."""

    direction = forms.ChoiceField(
        label=_("What do you post?"),
        choices=Need.Direction.choices,
        initial=Need.Direction.NEED,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Need.Kind.choices,
        initial=Need.Kind.SUPPLY,
        help_text=_(
            "Supply: goods such as ampas tahu. Technology: a TTG tool or method. Research and "
            "training: work together with a Posyantek."
        ),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("Short and clear, e.g. “Ampas tahu 5 ton per minggu”."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What it is for, the quality you expect, how it is delivered."),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    quantity = QuantityField(
        label=_("Quantity"),
        required=False,
        help_text=_("For example 5 or 2,5. Leave empty for research or training."),
    )
    unit = forms.ChoiceField(
        label=_("Unit"), required=False, choices=[("", "—"), *Need.Unit.choices]
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Need.Frequency.choices, initial=Need.Frequency.ONCE
    )
    budget_amount = RupiahField(
        label=_("Budget (Rp)"),
        required=False,
        error_messages={
            "invalid": _("Give the budget in whole Rupiah, e.g. 4000000 or 4.000.000."),
            "negative": _("The budget cannot be below Rp 0."),
        },
        help_text=_(
            "The most you pay for the quantity above, one delivery, without PPN. "
            "Leave empty if you do not want to say."
        ),
    )
    required_certifications = forms.MultipleChoiceField(
        label=_("Required certifications"),
        required=False,
        choices=Certification.Type.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only Posyantek with these certificates, still valid, are matched."),
    )
    delivery_district = RegionField(
        label=_("Delivered to (kecamatan)"),
        level=Level.DISTRICT,
        help_text=_("Your organisation's own kecamatan unless you choose another."),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=_date_input(),
        help_text=_("After this day the need closes by itself. Leave empty for no deadline."),
    )

    def __init__(self, *args: Any, need: Need | None = None, **kwargs: Any) -> None:
        if need is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(need)
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = product_category_choices()

    @staticmethod
    def initial_for(need: Need) -> dict[str, Any]:
        quantity = need.quantity
        return {
            "direction": need.direction,
            "kind": need.kind,
            "title": need.title,
            "description": need.description,
            "category": need.category_id,
            "quantity": "" if quantity is None else f"{quantity.normalize():f}".replace(".", ","),
            "unit": need.unit,
            "frequency": need.frequency,
            "budget_amount": ""
            if need.budget_amount is None
            else f"{need.budget_amount:,}".replace(",", "."),
            "required_certifications": list(need.required_certifications or []),
            "delivery_district": need.delivery_district_id,
            "deadline": need.deadline,
        }

    def service_data(self) -> dict[str, Any]:
        """Every need field for need_create / need_update."""
        data = {name: self.cleaned_data[name] for name in NeedForm.base_fields}
        data["unit"] = data["unit"] or ""
        data["required_certifications"] = list(data["required_certifications"] or [])
        return data


class BoardFilterForm(forms.Form):
    """The needs board's filters: a plain GET form, shown back with the values sent."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Need.Kind.choices]
    )
    direction = forms.ChoiceField(
        label=_("Needs or offers"),
        required=False,
        choices=[("", _("Needs and offers")), *Need.Direction.choices],
    )
    province = forms.ChoiceField(label=_("Delivered to (province)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_filter_choices()
        self.fields["province"].choices = [
            ("", _("All provinces")),
            *region_list(level=Level.PROVINCE).values_list("code", "display_name"),
        ]

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters (an unknown value is dropped, with its message)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Why close it? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
