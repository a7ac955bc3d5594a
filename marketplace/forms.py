"""Forms of the seller's product pages.

They only shape what a person types into what marketplace.services expects (a price typed as
"15.000", specifications one per line); the services do the real checks, and
`apply_service_errors` puts their messages back on the fields.
"""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import apply_service_errors
from marketplace.models import Category, Certification, Product
from marketplace.selectors import category_tree

__all__ = [
    "CertificationForm",
    "DeskFilterForm",
    "GuideForm",
    "HideForm",
    "PhotoForm",
    "ProductCreateForm",
    "ProductForm",
    "StockForm",
    "apply_service_errors",
]

NUMBER = {"inputmode": "numeric", "autocomplete": "off"}
# "15000", "15.000", "1.500.000", "Rp 15.000", "15 000" (and "15,000" typed the English way).
RUPIAH_PATTERN = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")


class RupiahField(forms.CharField):
    """Whole Rupiah as a person types it: digits, with or without thousands dots or "Rp"."""

    default_error_messages = {
        "invalid": _("Give the price in whole Rupiah, e.g. 15000 or 15.000."),
        "negative": _("The price cannot be below Rp 0."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={**NUMBER, "maxlength": 30}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        text = re.sub(r"^rp\.?", "", text.strip(), flags=re.IGNORECASE).replace(" ", "")
        text = text.replace("\u00a0", "")
        if text.startswith("-"):
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if len(text) > 30 or not RUPIAH_PATTERN.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(re.sub(r"\D", "", text))


def _whole(label, *, minimum: int, required: bool = True, help_text: str = "", **kwargs):
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=2**31 - 1,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={**NUMBER, "min": minimum}),
        **kwargs,
    )


def category_filter_choices() -> list:
    """The category tree for filtering (by slug), each TTG field a group: the whole field
    first, then its sub-categories. The catalogue and the needs board use it."""
    choices: list = [("", _("All categories"))]
    for field in category_tree():
        options = [(field.slug, _("All of %(field)s") % {"field": field.name})]
        options += [(child.slug, child.name) for child in field.children.all()]
        choices.append((field.name, options))
    return choices


def category_choices() -> list:
    """The category tree as a grouped select: each TTG field a group of its sub-categories
    (a field without sub-categories is a choice itself)."""
    choices: list = [("", _("Choose a category"))]
    for top in category_tree():
        children = list(top.children.all())
        if children:
            choices.append((top.name, [(child.pk, child.name) for child in children]))
        else:
            choices.append((top.pk, top.name))
    return choices


class ProductForm(forms.Form):
    """The product's own fields, as the seller edits them."""

    name = forms.CharField(label=_("Product name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of product"), choices=Product.Kind.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What it is, what it does and who it is for."),
    )
    selling_unit = forms.CharField(
        label=_("Selling unit"),
        max_length=60,
        required=False,
        help_text=_('How one item is sold, e.g. "unit" or "karung 50 kg".'),
    )
    price_amount = RupiahField(
        label=_("Price per unit (Rp)"),
        help_text=_("Whole Rupiah, without PPN. For example 1.500.000."),
    )
    minimum_order = _whole(
        _("Minimum order"), minimum=1, initial=1, help_text=_("In selling units.")
    )
    order_step = _whole(
        _("Order step"),
        minimum=1,
        initial=1,
        help_text=_("Orders grow by this many selling units (1 = any number)."),
    )
    weight_per_unit_kg = forms.CharField(
        label=_("Weight per unit (kg)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("For shipping. For example 50 or 0,25."),
    )
    availability = forms.ChoiceField(
        label=_("Availability"),
        choices=Product.Availability.choices,
        initial=Product.Availability.STOCK,
        widget=forms.RadioSelect,
    )
    lead_time_days = _whole(
        _("Lead time (days)"),
        minimum=0,
        required=False,
        help_text=_("Days from the order until it is ready."),
    )
    monthly_capacity = _whole(
        _("Monthly capacity"),
        minimum=1,
        required=False,
        help_text=_("How many selling units you can make in a month."),
    )
    output_quantity_kg = _whole(
        _("Output (kg)"), minimum=1, required=False, help_text=_("How many kg are produced.")
    )
    output_period = forms.ChoiceField(
        label=_("Per"),
        required=False,
        choices=[("", "—"), *Product.OutputPeriod.choices],
    )
    specs = forms.CharField(
        label=_("Specifications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('One per line, name and value with a colon, e.g. "Capacity: 200 kg/hour".'),
    )
    innovator = forms.CharField(label=_("Innovator"), required=False, max_length=200)
    awards = forms.CharField(
        label=_("Awards"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example Gelar TTG Nasional."),
    )
    patent_number = forms.CharField(label=_("Patent / HKI number"), required=False, max_length=100)

    main_names = (
        "name",
        "kind",
        "category",
        "description",
        "selling_unit",
        "price_amount",
        "minimum_order",
        "order_step",
        "weight_per_unit_kg",
    )
    made_to_order_names = ("lead_time_days", "monthly_capacity")
    recurring_names = ("output_quantity_kg", "output_period")
    more_names = ("specs", "innovator", "awards", "patent_number")

    def __init__(self, *args: Any, product: Product | None = None, **kwargs: Any) -> None:
        if product is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(product)
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    @staticmethod
    def initial_for(product: Product) -> dict[str, Any]:
        weight = product.weight_per_unit_kg
        return {
            "name": product.name,
            "kind": product.kind,
            "category": product.category_id,
            "description": product.description,
            "selling_unit": product.selling_unit,
            "price_amount": f"{product.price_amount:,}".replace(",", "."),
            "minimum_order": product.minimum_order,
            "order_step": product.order_step,
            "weight_per_unit_kg": "" if weight is None else f"{weight.normalize():f}",
            "availability": product.availability,
            "lead_time_days": product.lead_time_days,
            "monthly_capacity": product.monthly_capacity,
            "output_quantity_kg": product.output_quantity_kg,
            "output_period": product.output_period,
            "specs": "\n".join(f"{row['key']}: {row['value']}" for row in product.specs or []),
            "innovator": product.innovator,
            "awards": product.awards,
            "patent_number": product.patent_number,
        }

    def _group(self, names: tuple[str, ...]) -> list:
        return [self[name] for name in names]

    def main_fields(self) -> list:
        return self._group(self.main_names)

    def made_to_order_fields(self) -> list:
        return self._group(self.made_to_order_names)

    def recurring_fields(self) -> list:
        return self._group(self.recurring_names)

    def more_fields(self) -> list:
        return self._group(self.more_names)

    def clean_specs(self) -> list[dict[str, str]]:
        rows = []
        for line in self.cleaned_data["specs"].splitlines():
            if not line.strip():
                continue
            key, colon, value = line.partition(":")
            if not colon or not key.strip() or not value.strip():
                raise forms.ValidationError(
                    _('Write each specification as "name: value" on its own line.')
                )
            rows.append({"key": key.strip(), "value": value.strip()})
        return rows

    def service_data(self) -> dict[str, Any]:
        """Every product field for product_create / product_update."""
        data = {name: self.cleaned_data[name] for name in ProductForm.base_fields}
        if data["lead_time_days"] is None:
            data["lead_time_days"] = 0
        return data


class ProductCreateForm(ProductForm):
    """A new product with its first photo and, for stock products, the stock on hand."""

    stock = _whole(
        _("Stock now"),
        minimum=0,
        required=False,
        help_text=_("How many selling units are ready to sell now."),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
        help_text=_("A clear photo of the product: JPEG, PNG or WebP, at most 8 MB."),
    )
    stock_names = ("stock",)

    def stock_fields(self) -> list:
        return self._group(self.stock_names)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
        help_text=_("JPEG, PNG or WebP, at most 8 MB."),
    )
    alt_text = forms.CharField(
        label=_("What the photo shows"),
        required=False,
        max_length=200,
        help_text=_("Helps buyers who cannot see the photo."),
    )


class GuideForm(forms.Form):
    user_guide = forms.FileField(
        label=_("User guide (PDF)"),
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
        help_text=_("A PDF file, at most 8 MB."),
    )


class CertificationForm(forms.Form):
    type = forms.ChoiceField(label=_("Certification"), choices=Certification.Type.choices)
    number = forms.CharField(label=_("Number"), max_length=100)
    issuer = forms.CharField(label=_("Issued by"), max_length=200, required=False)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty if it does not expire."),
    )
    scan = forms.FileField(
        label=_("Scan"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        help_text=_("PDF, JPEG or PNG, at most 8 MB. Only you and the Mitra TTG team see it."),
    )


class StockForm(forms.Form):
    stock = _whole(_("Stock now"), minimum=0, help_text=_("Count what is ready to sell."))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=255,
        help_text=_("For example: new batch, or counted the store."),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The seller reads this: say what to fix."),
    )


class DeskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Product.Status.choices],
    )
