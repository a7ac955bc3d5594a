"""Shipping settings of a Posyantek and the shipping fee of an order (DESIGN.md, orders).

A Posyantek offers any of three methods:

- pickup at the Posyantek: free;
- its own delivery: a flat fee per order to each regency it lists (nowhere else);
- courier: a rate per kg to each destination province it lists, on the order's weight in
  whole kilograms rounded up (at least 1 kg), never below the minimum courier fee.

Worked examples (also the test vectors in tests/orders/test_shipping.py), courier at
Rp 9.000/kg with a minimum of Rp 15.000:

    weight      charged kg   kg × rate     fee
    2.300 g     3            27.000        27.000
    400 g       1            9.000         15.000   (the minimum)
    0 g         1            9.000         15.000
    2.000 g     2            18.000        18.000
    2.001 g     3            27.000        27.000

The weight of an order is Σ quantity × the unit weight in whole grams (kg × 1000 rounded
half-up): `order_weight_grams`. The fee is computed at checkout and frozen on the order.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organization
from accounts.permissions import can_edit_profile
from core.errors import InvalidInput, PermissionDenied
from orders.models import CourierRate, OwnDeliveryRate, ShippingMethod, ShippingSettings
from regions.models import Province, Regency

MAX_FEE_AMOUNT = 100_000_000  # Rp 100 million for one delivery: anything above is a typo
MAX_RATES = 600  # more than every regency of Indonesia
# Marked for translation here, translated where it is shown.
NOT_ALLOWED = gettext_noop(
    "Only an owner or a manager of the organisation can change its shipping settings."
)
SETTINGS_FIELDS = (
    "pickup_enabled",
    "pickup_note",
    "own_delivery_enabled",
    "courier_enabled",
    "courier_minimum_amount",
)


@dataclass(frozen=True)
class ShippingOption:
    method: ShippingMethod
    fee_amount: int
    label: str


# --- Weights and fees -------------------------------------------------------------------------


def unit_weight_grams(weight_per_unit_kg: Decimal | str | None) -> int:
    """A unit weight in whole grams, rounded half-up; 0 when unknown."""
    if weight_per_unit_kg is None:
        return 0
    grams = (Decimal(str(weight_per_unit_kg)) * 1000).to_integral_value(ROUND_HALF_UP)
    return int(grams)


def order_weight_grams(lines: Iterable[Any]) -> int:
    """Σ quantity × unit weight in whole grams, for anything with `product` and `quantity`
    (cart items, cart lines). E.g. 3 × 0,4505 kg → 3 × 451 g = 1.353 g."""
    return sum(line.quantity * unit_weight_grams(line.product.weight_per_unit_kg) for line in lines)


def courier_fee(*, rate_per_kg_amount: int, minimum_amount: int, weight_grams: int) -> int:
    """max(minimum, whole kg rounded up (at least 1) × rate): see the module's examples."""
    kilograms = max(1, -(-max(weight_grams, 0) // 1000))
    return max(minimum_amount, kilograms * rate_per_kg_amount)


# --- Settings ---------------------------------------------------------------------------------


def _settings_queryset():
    return ShippingSettings.objects.prefetch_related(
        Prefetch(
            "delivery_rates",
            queryset=OwnDeliveryRate.objects.select_related("regency__province").order_by(
                "regency__display_name", "regency_id"
            ),
        ),
        Prefetch(
            "courier_rates",
            queryset=CourierRate.objects.select_related("province").order_by(
                "province__display_name", "province_id"
            ),
        ),
    )


def shipping_settings_get(*, organization: Organization) -> ShippingSettings:
    """The organisation's settings with their rates prefetched; when none are saved, unsaved
    defaults (pickup only) — read `delivery_rates`/`courier_rates` through `rates_of`."""
    found = _settings_queryset().filter(organization=organization).first()
    if found is not None:
        return found
    return ShippingSettings(organization=organization)


def rates_of(settings: ShippingSettings) -> tuple[list[OwnDeliveryRate], list[CourierRate]]:
    """The delivery and courier rates of settings (none for unsaved defaults)."""
    if settings.pk is None:
        return [], []
    return list(settings.delivery_rates.all()), list(settings.courier_rates.all())


def _amount(value: Any, errors: dict, field: str) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(field, []).append(_("Give a whole number of Rupiah."))
        return None
    if value < 0 or value > MAX_FEE_AMOUNT:
        errors.setdefault(field, []).append(
            _("Give an amount from 0 to %(max)s.") % {"max": f"{MAX_FEE_AMOUNT:,}"}
        )
        return None
    return value


def _clean_rates(
    rows: Any, *, field: str, region_field: str, amount_field: str, model
) -> dict[str, int]:
    """{region code: amount} from [{region_field: code, amount_field: int}], every code known
    and active, none twice; InvalidInput naming the row otherwise."""
    if not isinstance(rows, list) or len(rows) > MAX_RATES:
        raise InvalidInput(
            fields={field: [_("Send a list of at most %(max)s rows.") % {"max": MAX_RATES}]}
        )
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.setdefault(field, []).append(_("Row %(row)s is not an object.") % {"row": index})
            continue
        code = row.get(region_field)
        amount = _amount(row.get(amount_field), errors, field)
        if not isinstance(code, str) or not code:
            errors.setdefault(field, []).append(
                _("Row %(row)s: choose the %(region)s.")
                % {"row": index, "region": model._meta.verbose_name}
            )
            continue
        if code in cleaned:
            errors.setdefault(field, []).append(
                _("Row %(row)s: %(code)s is listed twice.") % {"row": index, "code": code}
            )
            continue
        if amount is not None:
            cleaned[code] = amount
    known = set(
        model.objects.active().filter(code__in=list(cleaned)).values_list("code", flat=True)
    )
    for code in sorted(set(cleaned) - known):
        errors.setdefault(field, []).append(
            _("There is no %(region)s with the code %(code)s.")
            % {"region": model._meta.verbose_name, "code": code}
        )
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


@transaction.atomic
def shipping_settings_update(
    *, organization: Organization, actor, data: dict[str, Any]
) -> ShippingSettings:
    """Change the shipping settings (fields left out keep their value; a rates list replaces
    the whole list). Owners, managers and platform staff only (PermissionDenied). At least one
    method stays enabled; own delivery needs a regency and courier a province (InvalidInput
    with the fields)."""
    if not can_edit_profile(actor, organization):
        raise PermissionDenied(_(NOT_ALLOWED))
    if not isinstance(data, dict):
        raise InvalidInput()
    unknown = set(data) - set(SETTINGS_FIELDS) - {"delivery_rates", "courier_rates"}
    if unknown:
        raise InvalidInput(fields={name: [_("This field cannot be set.")] for name in unknown})

    settings, _created = ShippingSettings.objects.select_for_update().get_or_create(
        organization=organization
    )
    errors: dict[str, list[str]] = {}
    for name in ("pickup_enabled", "own_delivery_enabled", "courier_enabled"):
        if name in data:
            if not isinstance(data[name], bool):
                errors[name] = [_("Give true or false.")]
            else:
                setattr(settings, name, data[name])
    if "pickup_note" in data:
        note = data["pickup_note"]
        if not isinstance(note, str) or len(note.strip()) > 300:
            errors["pickup_note"] = [_("Use at most 300 characters.")]
        else:
            settings.pickup_note = note.strip()
    if "courier_minimum_amount" in data:
        minimum = _amount(data["courier_minimum_amount"], errors, "courier_minimum_amount")
        if minimum is not None:
            settings.courier_minimum_amount = minimum

    delivery = courier = None
    try:
        if "delivery_rates" in data:
            delivery = _clean_rates(
                data["delivery_rates"],
                field="delivery_rates",
                region_field="regency",
                amount_field="fee_amount",
                model=Regency,
            )
    except InvalidInput as error:
        errors.update(error.fields)
    try:
        if "courier_rates" in data:
            courier = _clean_rates(
                data["courier_rates"],
                field="courier_rates",
                region_field="province",
                amount_field="rate_per_kg_amount",
                model=Province,
            )
    except InvalidInput as error:
        errors.update(error.fields)
    if errors:
        raise InvalidInput(fields=errors)

    if delivery is not None:
        settings.delivery_rates.all().delete()
        OwnDeliveryRate.objects.bulk_create(
            OwnDeliveryRate(settings=settings, regency_id=code, fee_amount=fee)
            for code, fee in delivery.items()
        )
    if courier is not None:
        settings.courier_rates.all().delete()
        CourierRate.objects.bulk_create(
            CourierRate(settings=settings, province_id=code, rate_per_kg_amount=rate)
            for code, rate in courier.items()
        )

    if not (settings.pickup_enabled or settings.own_delivery_enabled or settings.courier_enabled):
        errors["pickup_enabled"] = [_("Offer at least one way to get the products.")]
    if settings.own_delivery_enabled and not settings.delivery_rates.exists():
        errors["delivery_rates"] = [_("List at least one regency you deliver to, with its fee.")]
    if settings.courier_enabled and not settings.courier_rates.exists():
        errors["courier_rates"] = [_("List at least one province with its rate per kg.")]
    if errors:
        raise InvalidInput(fields=errors)  # rolls back the rates written above
    settings.save()
    return shipping_settings_get(organization=organization)


# --- Options and fees at checkout ------------------------------------------------------------


def shipping_options(
    *, seller: Organization, regency_code: str, province_code: str, weight_grams: int
) -> list[ShippingOption]:
    """The methods the seller offers to this destination, with their fees, in the order
    pickup, own delivery, courier. Own delivery only to a listed regency; courier only to a
    listed province."""
    settings = shipping_settings_get(organization=seller)
    delivery_rates, courier_rates = rates_of(settings)
    options = []
    if settings.pickup_enabled:
        options.append(ShippingOption(ShippingMethod.PICKUP, 0, str(ShippingMethod.PICKUP.label)))
    if settings.own_delivery_enabled:
        for rate in delivery_rates:
            if rate.regency_id == regency_code:
                options.append(
                    ShippingOption(
                        ShippingMethod.OWN_DELIVERY,
                        rate.fee_amount,
                        str(ShippingMethod.OWN_DELIVERY.label),
                    )
                )
    if settings.courier_enabled:
        for rate in courier_rates:
            if rate.province_id == province_code:
                fee = courier_fee(
                    rate_per_kg_amount=rate.rate_per_kg_amount,
                    minimum_amount=settings.courier_minimum_amount,
                    weight_grams=weight_grams,
                )
                options.append(
                    ShippingOption(ShippingMethod.COURIER, fee, str(ShippingMethod.COURIER.label))
                )
    return options


def shipping_fee(
    *, seller: Organization, method: str, regency_code: str, province_code: str, weight_grams: int
) -> int:
    """The fee of one method to this destination (pickup 0, own delivery the regency's flat
    fee, courier by weight); InvalidInput with fields={"shipping_method": [...]} when the
    seller does not offer it there."""
    for option in shipping_options(
        seller=seller,
        regency_code=regency_code,
        province_code=province_code,
        weight_grams=weight_grams,
    ):
        if option.method == method:
            return option.fee_amount
    raise InvalidInput(
        fields={
            "shipping_method": [
                _("%(seller)s does not offer this shipping method to your address.")
                % {"seller": seller.name}
            ]
        }
    )
