"""Partnerships between a partner organisation and a Posyantek: proposed by either side and
answered by the other, or created at once from an accepted proposal; milestones; and the
agreement of a recurring supply (lines, schedule, payment terms, delivery details), whose
orders mitra.services.supply places on schedule.

Callers check *who may* (mitra.permissions) and name the side acted for; these check *what is
allowed now* (Partnership.ALLOWED_TRANSITIONS, complete and sensible data), lock the row, save
with update_fields and write a PartnershipEvent for every move, consent and milestone, with the
organisation acted for. E-mails go out after commit through mitra.tasks.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from core.errors import ApplicationError, Conflict, InvalidInput, NotFound
from core.money import format_rupiah
from marketplace.models import Product
from mitra.models import (
    Milestone,
    Need,
    Partnership,
    PartnershipEvent,
    PartnershipLine,
    Proposal,
    SupplyPeriod,
)
from mitra.services import supply

Status = Partnership.Status
Kind = Partnership.Kind
Frequency = Partnership.Frequency
PaymentTerms = Proposal.PaymentTerms

MAX_TITLE_LENGTH = 200
MAX_TERMS_LENGTH = 5000
MAX_NOTE_LENGTH = 1000
MAX_MILESTONES = 50
MAX_LINES = 20
MAX_QUANTITY = 1_000_000
MAX_PRICE = 10**12
MAX_TOTAL = 10**15  # one period's order, PPN included, stays far inside a BigInteger
ORDER_DETAIL_FIELDS = (
    "contact_name",
    "contact_phone",
    "contact_email",
    "address_line",
    "village",
    "postal_code",
    "note",
    "shipping",
    "payment_method",
)

VERBS = {
    Status.ACTIVE: gettext_lazy("accepted"),
    Status.DECLINED: gettext_lazy("declined"),
    Status.CANCELLED: gettext_lazy("cancelled"),
    Status.COMPLETED: gettext_lazy("completed"),
    Status.TERMINATED: gettext_lazy("terminated"),
}


# --- Helpers ----------------------------------------------------------------------------------


def partnership_lock(partnership: Partnership | int) -> Partnership:
    pk = partnership if isinstance(partnership, int) else partnership.pk
    return (
        Partnership.objects.select_for_update(of=("self",))
        .select_related("partner", "posyantek", "proposed_by", "ordered_by")
        .get(pk=pk)
    )


def check_move(partnership: Partnership, to_status: str) -> None:
    if to_status not in Partnership.ALLOWED_TRANSITIONS.get(partnership.status, set()):
        raise Conflict(
            _("A partnership that is %(status)s cannot be %(verb)s.")
            % {
                "status": partnership.get_status_display().lower(),
                "verb": VERBS.get(to_status, to_status),
            },
            code="partnership_status",
        )


def other_side(partnership: Partnership) -> Organization:
    """The side that did not propose it (which accepts or declines)."""
    if partnership.proposed_by_id == partnership.partner_id:
        return partnership.posyantek
    return partnership.partner


def _event(
    partnership: Partnership,
    *,
    kind: str,
    actor: User | None,
    organization: Organization | None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> PartnershipEvent:
    return PartnershipEvent.objects.create(
        partnership=partnership,
        kind=kind,
        actor=actor,
        organization=organization,
        from_status=from_status,
        to_status=to_status,
        note=(note or "")[:MAX_NOTE_LENGTH],
    )


def _move(
    partnership: Partnership,
    *,
    to_status: str,
    actor: User | None,
    organization: Organization | None,
    note: str = "",
    fields: dict | None = None,
) -> PartnershipEvent:
    """Move a locked partnership, save with update_fields and record the event."""
    check_move(partnership, to_status)
    from_status = partnership.status
    changed = {"status": to_status, **(fields or {})}
    if to_status in (Status.DECLINED, Status.CANCELLED, Status.COMPLETED, Status.TERMINATED):
        changed["ended_at"] = timezone.now()
    for field, value in changed.items():
        setattr(partnership, field, value)
    partnership.save(update_fields=[*changed, "updated_at"])
    event = _event(
        partnership,
        kind=PartnershipEvent.Kind.STATUS,
        actor=actor,
        organization=organization,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    _notify(event)
    return event


def _notify(event: PartnershipEvent) -> None:
    from mitra import tasks

    transaction.on_commit(lambda pk=event.pk: tasks.partnership_event_notify_task.delay(pk))


def _note(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        raise InvalidInput(fields={"note": [_("Give the reason as text.")]})
    return value.strip()[:MAX_NOTE_LENGTH]


# --- Validation -------------------------------------------------------------------------------


def _text(value: Any, field: str, *, required: bool, max_length: int, errors: dict) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or "\x00" in value:
        errors[field] = [_("Give text.")]
        return ""
    value = value.strip()
    if required and not value:
        errors[field] = [_("This field is required.")]
    elif len(value) > max_length:
        errors[field] = [_("Use at most %(max)s characters.") % {"max": max_length}]
    return value


def _date(value: Any, field: str, *, required: bool, errors: dict) -> datetime.date | None:
    if value in (None, ""):
        if required:
            errors[field] = [_("Give a date.")]
        return None
    if isinstance(value, datetime.datetime):
        errors[field] = [_("Give a date as YYYY-MM-DD.")]
        return None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and len(value) <= 10:
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed
    errors[field] = [_("Give a date as YYYY-MM-DD.")]
    return None


def _whole(value: Any, *, minimum: int, maximum: int) -> int | None:
    if isinstance(value, bool):
        return None
    text = value.strip() if isinstance(value, str) else ""
    if text and text.isascii() and text.isdigit() and len(text) <= 15:
        value = int(text)
    if not isinstance(value, int) or not minimum <= value <= maximum:
        return None
    return value


def _milestones(value: Any, errors: dict) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_MILESTONES:
        errors["milestones"] = [
            _("Give a list of up to %(max)s milestones, each with a title and a due date.")
            % {"max": MAX_MILESTONES}
        ]
        return []
    cleaned = []
    for item in value:
        item_errors: dict = {}
        if not isinstance(item, Mapping):
            errors["milestones"] = [_("Each milestone has a title and a due date.")]
            return []
        title = _text(
            item.get("title"),
            "title",
            required=True,
            max_length=MAX_TITLE_LENGTH,
            errors=item_errors,
        )
        due = _date(item.get("due_date"), "due_date", required=True, errors=item_errors)
        if item_errors:
            errors["milestones"] = [_("Each milestone has a title and a due date (YYYY-MM-DD).")]
            return []
        cleaned.append({"title": title, "due_date": due})
    return cleaned


def _lines(value: Any, posyantek: Organization, errors: dict) -> list[dict]:
    """[{product (slug, or a Product), quantity, unit_price_amount}] of the Posyantek's own
    published products, each once."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not value or len(value) > MAX_LINES:
        errors["lines"] = [
            _("Give a list of up to %(max)s products with quantity and price.") % {"max": MAX_LINES}
        ]
        return []
    slugs = []
    for item in value:
        if not isinstance(item, Mapping):
            errors["lines"] = [_("Each line has a product, a quantity and a price per unit.")]
            return []
        product = item.get("product")
        slugs.append(product.slug if isinstance(product, Product) else product)
    if not all(
        isinstance(slug, str) and 0 < len(slug) <= 220 and "\x00" not in slug for slug in slugs
    ):
        errors["lines"] = [_("Name each product by its slug.")]
        return []
    products = {p.slug: p for p in Product.objects.filter(slug__in=slugs).select_related("seller")}
    cleaned = []
    seen = set()
    for item, slug in zip(value, slugs, strict=True):
        product = products.get(slug)
        if product is None or product.seller_id != posyantek.pk:
            errors["lines"] = [
                _("“%(slug)s” is not a product of %(name)s.")
                % {"slug": slug, "name": posyantek.name}
            ]
            return []
        if product.status != Product.Status.PUBLISHED:
            errors["lines"] = [
                _("%(name)s is not on sale; publish it first.") % {"name": product.name}
            ]
            return []
        if product.pk in seen:
            errors["lines"] = [_("%(name)s is listed twice.") % {"name": product.name}]
            return []
        seen.add(product.pk)
        quantity = _whole(item.get("quantity"), minimum=1, maximum=MAX_QUANTITY)
        price = item.get("unit_price_amount", product.price_amount)
        price = _whole(price, minimum=1, maximum=MAX_PRICE)
        if quantity is None:
            errors["lines"] = [
                _("Give the quantity of %(name)s as a whole number of at least 1.")
                % {"name": product.name}
            ]
            return []
        if price is None:
            errors["lines"] = [
                _("Give the price of %(name)s in whole Rupiah.") % {"name": product.name}
            ]
            return []
        cleaned.append({"product": product, "quantity": quantity, "unit_price_amount": price})
    if sum(line["quantity"] * line["unit_price_amount"] for line in cleaned) > MAX_TOTAL:
        errors["lines"] = [
            _("The total of one period is more than %(max)s; agree on smaller deliveries.")
            % {"max": format_rupiah(MAX_TOTAL)}
        ]
        return []
    return cleaned


def order_details_clean(
    *,
    user: User,
    partner: Organization,
    posyantek: Organization,
    value: Any,
    field: str = "order_details",
) -> dict:
    """The delivery details of recurring orders, checked exactly as checkout checks them for
    `user` buying on the partner's name. Returns the stored form: the cleaned values (phone
    normalised, village by code) and the shipping method for this Posyantek only."""
    from orders.models import ShippingMethod
    from orders.services.checkout import checkout_input_clean

    if not isinstance(value, Mapping):
        raise InvalidInput(
            fields={field: [_("Give the delivery details: contact, address and village.")]}
        )
    details = {key: value[key] for key in ORDER_DETAIL_FIELDS if key in value}
    try:
        clean = checkout_input_clean(
            user=user, data={**details, "buyer_organization": partner.slug}
        )
    except ApplicationError as error:
        if error.fields:
            raise InvalidInput(
                fields={f"{field}.{key}": messages for key, messages in error.fields.items()}
            ) from None
        raise
    shipping = clean.shipping.get(posyantek.slug, ShippingMethod.PICKUP)
    if shipping not in ShippingMethod.values:
        raise InvalidInput(
            fields={
                f"{field}.shipping": [
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(ShippingMethod.values)}
                ]
            }
        )
    stored = {
        "contact_name": clean.contact_name,
        "contact_phone": clean.contact_phone,
        "contact_email": clean.contact_email,
        "address_line": clean.address_line,
        "village": clean.destination.village.code,
        "postal_code": clean.postal_code,
        "note": clean.note,
        "shipping": {posyantek.slug: shipping},
    }
    if "payment_method" in details:
        stored["payment_method"] = clean.payment_method
    return stored


def _clean_proposal(
    *, organization: Organization, actor: User, data: Mapping[str, Any]
) -> dict[str, Any]:
    from mitra.services.needs import PARTNER_KINDS

    if not isinstance(data, Mapping):
        raise InvalidInput()
    errors: dict[str, list[str]] = {}
    other_slug = data.get("with")
    other = None
    if (
        not isinstance(other_slug, str)
        or not other_slug.strip()
        or len(other_slug) > 100
        or "\x00" in other_slug
    ):
        errors["with"] = [_("Name the other organisation by its slug.")]
    else:
        other = Organization.objects.filter(slug=other_slug.strip()).first()
        if other is None:
            errors["with"] = [_("This organisation does not exist.")]
    if organization.kind == Organization.Kind.POSYANTEK:
        partner, posyantek = other, organization
        if other is not None and other.kind not in PARTNER_KINDS:
            errors["with"] = [_("A Posyantek partners with a company, university or agency.")]
    else:
        partner, posyantek = organization, other
        if other is not None and other.kind != Organization.Kind.POSYANTEK:
            errors["with"] = [_("Choose a Posyantek to partner with.")]
    kind = data.get("kind")
    if kind not in Kind.values:
        errors["kind"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Kind.values)}]
    title = _text(
        data.get("title"), "title", required=True, max_length=MAX_TITLE_LENGTH, errors=errors
    )
    terms = _text(
        data.get("terms"), "terms", required=False, max_length=MAX_TERMS_LENGTH, errors=errors
    )
    start = _date(data.get("start_date"), "start_date", required=True, errors=errors)
    end = _date(data.get("end_date"), "end_date", required=False, errors=errors)
    if start and start < timezone.localdate():
        errors["start_date"] = [_("The start has passed. Choose today or a later date.")]
    if start and end and end < start:
        errors["end_date"] = [_("The end comes after the start.")]
    milestones = _milestones(data.get("milestones"), errors)
    frequency = data.get("frequency") or ""
    if frequency not in Frequency.values:
        errors["frequency"] = [_("Choose weekly, monthly, or leave it empty.")]
        frequency = ""
    if frequency and kind != Kind.SUPPLY:
        errors["frequency"] = [_("Only a supply partnership repeats on a schedule.")]
    payment_terms = data.get("payment_terms") or PaymentTerms.PREPAID
    if payment_terms not in PaymentTerms.values:
        errors["payment_terms"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(PaymentTerms.values)}
        ]
    lines = []
    if data.get("lines") not in (None, "", []):
        if kind not in (Kind.SUPPLY, Kind.TECHNOLOGY):
            errors["lines"] = [_("Only supply and technology partnerships list products.")]
        elif posyantek is not None:
            lines = _lines(data.get("lines"), posyantek, errors)
    weekday = day_of_month = None
    if frequency and kind == Kind.SUPPLY:
        if not lines and "lines" not in errors:
            errors["lines"] = [_("A recurring supply lists the products delivered each period.")]
        if frequency == Frequency.WEEKLY:
            raw = data.get("weekday")
            weekday = (
                start.weekday()
                if raw in (None, "") and start
                else _whole(raw, minimum=0, maximum=6)
            )
            if weekday is None and "start_date" not in errors:
                errors["weekday"] = [_("Choose the delivery day: 0 (Monday) to 6 (Sunday).")]
        else:
            raw = data.get("day_of_month")
            day_of_month = (
                min(start.day, 28)
                if raw in (None, "") and start
                else _whole(raw, minimum=1, maximum=28)
            )
            if day_of_month is None and "start_date" not in errors:
                errors["day_of_month"] = [_("Choose the delivery day of the month: 1 to 28.")]
    if errors:
        raise InvalidInput(fields=errors)
    if not organization.is_verified:
        raise Conflict(
            _("Only a verified organisation can propose partnerships."),
            code="organization_not_verified",
        )
    if not other.is_verified:
        raise Conflict(
            _("%(name)s is not verified yet; it can partner once it is verified.")
            % {"name": other.name},
            code="organization_not_verified",
        )
    order_details: dict = {}
    ordered_by = None
    if frequency and organization.pk == partner.pk:
        order_details = order_details_clean(
            user=actor, partner=partner, posyantek=posyantek, value=data.get("order_details")
        )
        ordered_by = actor
    elif frequency and data.get("order_details") not in (None, {}):
        errors["order_details"] = [_("The partner gives the delivery details when it accepts.")]
        raise InvalidInput(fields=errors)
    return {
        "partner": partner,
        "posyantek": posyantek,
        "kind": kind,
        "title": title,
        "terms": terms,
        "start_date": start,
        "end_date": end,
        "milestones": milestones,
        "frequency": frequency if kind == Kind.SUPPLY else "",
        "weekday": weekday,
        "day_of_month": day_of_month,
        "payment_terms": payment_terms,
        "lines": lines,
        "order_details": order_details,
        "ordered_by": ordered_by,
    }


# --- Proposing and answering ------------------------------------------------------------------


@transaction.atomic
def partnership_propose(
    *, organization: Organization, actor: User, data: Mapping[str, Any]
) -> Partnership:
    """A proposed partnership from `organization` (a partner or a Posyantek) to the other side
    named by `data["with"]`, with the proposer's consent recorded. For a recurring supply the
    lines are the Posyantek's published products, and when the partner proposes, its delivery
    details are checked as checkout checks them (the partner's proposer places the orders).
    InvalidInput per field; Conflict for an unverified side."""
    cleaned = _clean_proposal(organization=organization, actor=actor, data=data)
    now = timezone.now()
    consent_field = (
        "partner_consented_at"
        if organization.pk == cleaned["partner"].pk
        else "posyantek_consented_at"
    )
    partnership = Partnership.objects.create(
        partner=cleaned["partner"],
        posyantek=cleaned["posyantek"],
        proposed_by=organization,
        created_by=actor,
        kind=cleaned["kind"],
        title=cleaned["title"],
        terms=cleaned["terms"],
        status=Status.PROPOSED,
        start_date=cleaned["start_date"],
        end_date=cleaned["end_date"],
        frequency=cleaned["frequency"],
        weekday=cleaned["weekday"],
        day_of_month=cleaned["day_of_month"],
        payment_terms=cleaned["payment_terms"],
        ordered_by=cleaned["ordered_by"],
        order_details=cleaned["order_details"],
        **{consent_field: now},
    )
    PartnershipLine.objects.bulk_create(
        PartnershipLine(partnership=partnership, **line) for line in cleaned["lines"]
    )
    Milestone.objects.bulk_create(
        Milestone(partnership=partnership, **milestone) for milestone in cleaned["milestones"]
    )
    _event(
        partnership,
        kind=PartnershipEvent.Kind.STATUS,
        actor=actor,
        organization=organization,
        to_status=Status.PROPOSED,
    )
    event = _event(
        partnership,
        kind=PartnershipEvent.Kind.CONSENT,
        actor=actor,
        organization=organization,
        from_status=Status.PROPOSED,
        to_status=Status.PROPOSED,
    )
    _notify(event)
    return partnership


@transaction.atomic
def partnership_accept(
    *, partnership: Partnership, actor: User, data: Mapping[str, Any] | None = None
) -> Partnership:
    """The other side consents: proposed → active. For a recurring supply proposed by the
    Posyantek, the accepting partner gives the delivery details (`data["order_details"]`) and
    places the orders. Books the capacity commitments of the coming periods (CapacityExceeded,
    409, and nothing changes, when the Posyantek cannot produce that much)."""
    partnership = partnership_lock(partnership)
    check_move(partnership, Status.ACTIVE)
    side = other_side(partnership)
    data = data if isinstance(data, Mapping) else {}
    fields: dict[str, Any] = {}
    now = timezone.now()
    fields[
        "partner_consented_at" if side.pk == partnership.partner_id else "posyantek_consented_at"
    ] = now
    if partnership.is_recurring and side.pk == partnership.partner_id:
        details = data.get("order_details")
        if details is None and not partnership.order_details:
            raise InvalidInput(
                fields={
                    "order_details": [_("Give the delivery details: contact, address and village.")]
                }
            )
        fields["order_details"] = order_details_clean(
            user=actor,
            partner=partnership.partner,
            posyantek=partnership.posyantek,
            value=details if details is not None else partnership.order_details,
        )
        fields["ordered_by"] = actor
    _event(
        partnership,
        kind=PartnershipEvent.Kind.CONSENT,
        actor=actor,
        organization=side,
        from_status=partnership.status,
        to_status=partnership.status,
    )
    _move(partnership, to_status=Status.ACTIVE, actor=actor, organization=side, fields=fields)
    if partnership.is_recurring:
        supply.partnership_capacity_sync(partnership=partnership, partial=False)
        _queue_current_period(partnership)
    return partnership


def _queue_current_period(partnership: Partnership) -> None:
    from mitra import tasks

    transaction.on_commit(lambda pk=partnership.pk: tasks.supply_partnership_place_task.delay(pk))


@transaction.atomic
def partnership_decline(*, partnership: Partnership, actor: User, note: str = "") -> Partnership:
    """The other side says no: proposed → declined."""
    partnership = partnership_lock(partnership)
    _move(
        partnership,
        to_status=Status.DECLINED,
        actor=actor,
        organization=other_side(partnership),
        note=_note(note),
    )
    return partnership


@transaction.atomic
def partnership_cancel(*, partnership: Partnership, actor: User, note: str = "") -> Partnership:
    """The proposer withdraws it: proposed → cancelled."""
    partnership = partnership_lock(partnership)
    _move(
        partnership,
        to_status=Status.CANCELLED,
        actor=actor,
        organization=partnership.proposed_by,
        note=_note(note),
    )
    return partnership


def _end(
    *,
    partnership: Partnership,
    actor: User,
    to_status: str,
    organization: Organization | None,
    note: str,
) -> Partnership:
    partnership = partnership_lock(partnership)
    _move(
        partnership, to_status=to_status, actor=actor, organization=organization, note=_note(note)
    )
    # No more periods: the commitments of the coming ones are released.
    supply.partnership_capacity_release(partnership=partnership)
    return partnership


@transaction.atomic
def partnership_complete(
    *,
    partnership: Partnership,
    actor: User,
    organization: Organization | None = None,
    note: str = "",
) -> Partnership:
    """Either side ends it as done: active → completed; future capacity released."""
    return _end(
        partnership=partnership,
        actor=actor,
        to_status=Status.COMPLETED,
        organization=organization,
        note=note,
    )


@transaction.atomic
def partnership_terminate(
    *,
    partnership: Partnership,
    actor: User,
    organization: Organization | None = None,
    note: str = "",
) -> Partnership:
    """Either side ends it early: active → terminated; future capacity released. Orders
    already placed stay as they are."""
    return _end(
        partnership=partnership,
        actor=actor,
        to_status=Status.TERMINATED,
        organization=organization,
        note=note,
    )


# --- From an accepted proposal ----------------------------------------------------------------


@transaction.atomic
def partnership_create_from_proposal(
    *,
    proposal: Proposal,
    actor: User,
    order_details: Mapping[str, Any] | None,
    first_order=None,
) -> Partnership:
    """An ACTIVE partnership for an accepted proposal (called by proposal_accept in its
    transaction): both consents — the Posyantek's when it sent the proposal, the partner's
    now by `actor`. A supply need with frequency weekly/monthly whose proposal has lines makes
    a recurring supply: the proposal's lines and prices, delivered on the weekday / day of the
    month of the first order's promised date (or today), on the first order's payment terms,
    ordered by the first order's buyer; `first_order` becomes its first SupplyPeriod. Books the
    capacity of the coming periods (CapacityExceeded, 409, when the Posyantek cannot)."""
    need: Need = proposal.need
    partner = need.organization
    posyantek = proposal.posyantek
    now = timezone.now()
    lines = list(proposal.lines.select_related("product").order_by("pk"))
    recurring = (
        need.kind == Need.Kind.SUPPLY
        and need.frequency in (Need.Frequency.WEEKLY, Need.Frequency.MONTHLY)
        and bool(lines)
    )
    start = first_order.promised_date if first_order is not None else timezone.localdate(now)
    frequency = need.frequency if recurring else ""
    details = {
        key: value for key, value in dict(order_details or {}).items() if key in ORDER_DETAIL_FIELDS
    }
    terms = "\n\n".join(part for part in (proposal.schedule, proposal.message) if part)
    partnership = Partnership.objects.create(
        partner=partner,
        posyantek=posyantek,
        proposed_by=posyantek,
        created_by=actor,
        proposal=proposal,
        need=need,
        kind=need.kind if need.kind in Kind.values else Kind.SUPPLY,
        title=need.title[:MAX_TITLE_LENGTH],
        terms=terms[:MAX_TERMS_LENGTH],
        status=Status.ACTIVE,
        start_date=start,
        partner_consented_at=now,
        posyantek_consented_at=proposal.created_at,
        frequency=frequency,
        weekday=start.weekday() if frequency == Frequency.WEEKLY else None,
        day_of_month=min(start.day, 28) if frequency == Frequency.MONTHLY else None,
        payment_terms=(
            first_order.payment_terms if first_order is not None else proposal.payment_terms
        ),
        ordered_by=(first_order.buyer if first_order is not None else actor) if recurring else None,
        order_details=details if recurring else {},
    )
    PartnershipLine.objects.bulk_create(
        PartnershipLine(
            partnership=partnership,
            product=line.product,
            quantity=line.quantity,
            unit_price_amount=line.unit_price_amount,
        )
        for line in lines
    )
    _event(
        partnership,
        kind=PartnershipEvent.Kind.CONSENT,
        actor=proposal.created_by,
        organization=posyantek,
        note=_("By sending the proposal on %(date)s.")
        % {"date": f"{timezone.localtime(proposal.created_at):%d/%m/%Y}"},
    )
    _event(
        partnership,
        kind=PartnershipEvent.Kind.CONSENT,
        actor=actor,
        organization=partner,
        note=_("By accepting the proposal."),
    )
    _event(
        partnership,
        kind=PartnershipEvent.Kind.STATUS,
        actor=actor,
        organization=partner,
        to_status=Status.ACTIVE,
    )
    if recurring and first_order is not None:
        period_start = supply.period_start_of(start, frequency)
        SupplyPeriod.objects.create(
            partnership=partnership,
            period_start=period_start,
            delivery_date=start,
            status=SupplyPeriod.Status.PLACED,
            order=first_order,
        )
        _event(
            partnership,
            kind=PartnershipEvent.Kind.SUPPLY,
            actor=actor,
            organization=partner,
            note=_("Order %(number)s placed for delivery on %(date)s.")
            % {"number": first_order.number, "date": f"{start:%d/%m/%Y}"},
        )
    if recurring:
        supply.partnership_capacity_sync(partnership=partnership, partial=False)
    # No e-mail of its own: proposal_accept already tells the Posyantek.
    return partnership


# --- Milestones -------------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *,
    partnership: Partnership,
    actor: User,
    data: Mapping[str, Any],
    organization: Organization | None = None,
) -> Milestone:
    """A milestone on a proposed or active partnership."""
    partnership = partnership_lock(partnership)
    if partnership.status not in (Status.PROPOSED, Status.ACTIVE):
        raise Conflict(
            _("A partnership that is %(status)s takes no more milestones.")
            % {"status": partnership.get_status_display().lower()},
            code="partnership_status",
        )
    if not isinstance(data, Mapping):
        raise InvalidInput()
    errors: dict = {}
    title = _text(
        data.get("title"), "title", required=True, max_length=MAX_TITLE_LENGTH, errors=errors
    )
    due = _date(data.get("due_date"), "due_date", required=True, errors=errors)
    if errors:
        raise InvalidInput(fields=errors)
    if partnership.milestones.count() >= MAX_MILESTONES:
        raise Conflict(
            _("A partnership has at most %(max)s milestones.") % {"max": MAX_MILESTONES},
            code="too_many_milestones",
        )
    milestone = Milestone.objects.create(partnership=partnership, title=title, due_date=due)
    _event(
        partnership,
        kind=PartnershipEvent.Kind.MILESTONE,
        actor=actor,
        organization=organization,
        from_status=partnership.status,
        to_status=partnership.status,
        note=_("Milestone added: %(title)s (due %(date)s).")
        % {"title": title, "date": f"{due:%d/%m/%Y}"},
    )
    return milestone


@transaction.atomic
def milestone_done(
    *,
    milestone: Milestone,
    actor: User,
    done: bool = True,
    organization: Organization | None = None,
) -> Milestone:
    """Tick a milestone off (done_at, done_by) or undo it, on an active partnership (or a
    proposed one). Doing what is already so changes nothing."""
    if isinstance(done, str):
        done = {"true": True, "false": False, "1": True, "0": False}.get(done.lower(), done)
    if not isinstance(done, bool):
        raise InvalidInput(fields={"done": [_("Give true or false.")]})
    partnership = partnership_lock(milestone.partnership_id)
    if partnership.status not in (Status.PROPOSED, Status.ACTIVE):
        raise Conflict(
            _("A partnership that is %(status)s can no longer be changed.")
            % {"status": partnership.get_status_display().lower()},
            code="partnership_status",
        )
    milestone = Milestone.objects.select_for_update().filter(pk=milestone.pk).first()
    if milestone is None or milestone.partnership_id != partnership.pk:
        raise NotFound()
    if (milestone.done_at is not None) == done:
        return milestone
    milestone.done_at = timezone.now() if done else None
    milestone.done_by = actor if done else None
    milestone.save(update_fields=["done_at", "done_by", "updated_at"])
    note = (_("Milestone done: %(title)s.") if done else _("Milestone reopened: %(title)s.")) % {
        "title": milestone.title
    }
    _event(
        partnership,
        kind=PartnershipEvent.Kind.MILESTONE,
        actor=actor,
        organization=organization,
        from_status=partnership.status,
        to_status=partnership.status,
        note=note,
    )
    return milestone
