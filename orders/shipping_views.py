"""The shipping settings page of an organisation: /organisasi/<slug>/pengiriman/.

Owners, managers and platform staff (accounts.permissions.can_edit_profile, as the API);
other members get a 403 page, everyone else a 404, like the other private organisation
pages. Rates are repeated rows (a formset each, with a few empty rows to add more); a row
left empty is ignored, a row ticked "remove" is dropped. Saving replaces every rate.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Organization
from accounts.permissions import can_edit_profile, can_view_private
from accounts.selectors import organization_get
from core.errors import ApplicationError, NotFound
from orders.services.shipping import (
    MAX_FEE_AMOUNT,
    MAX_RATES,
    NOT_ALLOWED,
    rates_of,
    shipping_settings_get,
    shipping_settings_update,
)
from regions.models import Province, Regency

EXTRA_ROWS = 3


class ShippingSettingsForm(forms.Form):
    pickup_enabled = forms.BooleanField(
        label=gettext_lazy("Pickup at the Posyantek"), required=False
    )
    pickup_note = forms.CharField(
        label=gettext_lazy("Pickup instructions"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "Where and when buyers collect, e.g. 'Kantor kecamatan, Mon–Fri 08–15'."
        ),
    )
    own_delivery_enabled = forms.BooleanField(
        label=gettext_lazy("Delivery by the Posyantek"), required=False
    )
    courier_enabled = forms.BooleanField(label=gettext_lazy("Courier"), required=False)
    courier_minimum_amount = forms.IntegerField(
        label=gettext_lazy("Minimum courier fee (Rp)"),
        min_value=0,
        max_value=MAX_FEE_AMOUNT,
        required=False,
    )


class DeliveryRateForm(forms.Form):
    regency = forms.ChoiceField(label=gettext_lazy("Regency/city"), required=False)
    fee_amount = forms.IntegerField(
        label=gettext_lazy("Fee (Rp)"), min_value=0, max_value=MAX_FEE_AMOUNT, required=False
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regency"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("regency") and data.get("fee_amount") is None and not self.errors:
            self.add_error("fee_amount", _("Give the fee for this regency."))
        return data


class CourierRateForm(forms.Form):
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)
    rate_per_kg_amount = forms.IntegerField(
        label=gettext_lazy("Rate per kg (Rp)"),
        min_value=0,
        max_value=MAX_FEE_AMOUNT,
        required=False,
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("province") and data.get("rate_per_kg_amount") is None and not self.errors:
            self.add_error("rate_per_kg_amount", _("Give the rate per kg for this province."))
        return data


DeliveryRateFormSet = forms.formset_factory(
    DeliveryRateForm, extra=EXTRA_ROWS, can_delete=True, max_num=MAX_RATES, validate_max=True
)
CourierRateFormSet = forms.formset_factory(
    CourierRateForm, extra=EXTRA_ROWS, can_delete=True, max_num=MAX_RATES, validate_max=True
)


def _regency_choices() -> list:
    """Active regencies grouped by province, in one query."""
    groups: dict[str, list] = {}
    for regency in (
        Regency.objects.active()
        .select_related("province")
        .order_by("province__display_name", "display_name")
    ):
        groups.setdefault(regency.province.display_name, []).append(
            (regency.code, regency.display_name)
        )
    return [("", "—"), *groups.items()]


def _province_choices() -> list:
    return [("", "—"), *Province.objects.active().values_list("code", "display_name")]


def _rows(formset) -> list[dict[str, Any]]:
    """The filled rows not marked for removal."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        rows.append(data)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def shipping_settings_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Which ways the organisation sends its products, and at what fees."""
    try:
        organization: Organization = organization_get(user=request.user, slug=slug)
    except NotFound:
        raise Http404 from None
    if not can_view_private(request.user, organization):
        raise Http404
    if not can_edit_profile(request.user, organization):
        return render(
            request,
            "organizations/forbidden.html",
            {
                "organization": organization,
                "message": _(NOT_ALLOWED),
            },
            status=403,
        )

    settings = shipping_settings_get(organization=organization)
    delivery, courier = rates_of(settings)
    regencies, provinces = _regency_choices(), _province_choices()
    status, rate_errors = 200, {}
    if request.method == "POST":
        form = ShippingSettingsForm(request.POST)
        delivery_set = DeliveryRateFormSet(
            request.POST, prefix="delivery", form_kwargs={"choices": regencies}
        )
        courier_set = CourierRateFormSet(
            request.POST, prefix="courier", form_kwargs={"choices": provinces}
        )
        if form.is_valid() & delivery_set.is_valid() & courier_set.is_valid():
            data = dict(form.cleaned_data)
            if data["courier_minimum_amount"] is None:
                data["courier_minimum_amount"] = 0
            data["delivery_rates"] = [
                {"regency": row["regency"], "fee_amount": row["fee_amount"]}
                for row in _rows(delivery_set)
                if row.get("regency")
            ]
            data["courier_rates"] = [
                {"province": row["province"], "rate_per_kg_amount": row["rate_per_kg_amount"]}
                for row in _rows(courier_set)
                if row.get("province")
            ]
            try:
                shipping_settings_update(organization=organization, actor=request.user, data=data)
            except ApplicationError as error:
                status = error.status_code
                for field, field_messages in error.fields.items():
                    if field in form.fields:
                        for message in field_messages:
                            form.add_error(field, str(message))
                    else:
                        rate_errors[field] = [str(message) for message in field_messages]
                if not error.fields:
                    form.add_error(None, str(error.message))
            else:
                messages.success(request, _("The shipping settings are saved."))
                return redirect("orders:shipping_settings", slug=organization.slug)
        else:
            status = 400
    else:
        form = ShippingSettingsForm(
            initial={
                "pickup_enabled": settings.pickup_enabled,
                "pickup_note": settings.pickup_note,
                "own_delivery_enabled": settings.own_delivery_enabled,
                "courier_enabled": settings.courier_enabled,
                "courier_minimum_amount": settings.courier_minimum_amount,
            }
        )
        delivery_set = DeliveryRateFormSet(
            prefix="delivery",
            initial=[{"regency": r.regency_id, "fee_amount": r.fee_amount} for r in delivery],
            form_kwargs={"choices": regencies},
        )
        courier_set = CourierRateFormSet(
            prefix="courier",
            initial=[
                {"province": r.province_id, "rate_per_kg_amount": r.rate_per_kg_amount}
                for r in courier
            ],
            form_kwargs={"choices": provinces},
        )
    return render(
        request,
        "orders/shipping_settings.html",
        {
            "organization": organization,
            "form": form,
            "delivery_set": delivery_set,
            "courier_set": courier_set,
            "delivery_errors": rate_errors.get("delivery_rates", []),
            "courier_errors": rate_errors.get("courier_rates", []),
        },
        status=status,
    )
