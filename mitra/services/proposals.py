"""Proposals: a Posyantek's answer to a partner need, and the partner's decision on it.

Callers check *who may* (mitra.permissions); these check *what is allowed now* (an active,
public need; a verified Posyantek; its own published products of a kind that fits the need;
a legal status move), record a ProposalEvent for every move and queue the e-mails after
commit.

Accepting locks the need, then the proposal (always in that order, here and in the
automatic rejections, so two accepts on one need queue up instead of deadlocking). A supply
proposal with products places one order for the need's organisation through
orders.services.terms.order_place_agreed, prepaid or on the net terms the proposal offers;
if it cannot be placed (stock, capacity, an unverified organisation) the whole accept is
rolled back and nothing changes. A recurring supply need, or a need of another kind, then
becomes an active partnership (mitra.services.partnerships.partnership_create_from_proposal).
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from core.errors import Conflict, InvalidInput
from core.money import format_rupiah
from marketplace.models import Product
from mitra.matching import units
from mitra.models import Need, Proposal, ProposalEvent, ProposalLine
from mitra.services.needs import need_lock, need_move

Status = Proposal.Status
PaymentTerms = Proposal.PaymentTerms

MAX_LINES = 20
MAX_LINE_QUANTITY = 1_000_000
MAX_PRICE_AMOUNT = 10**12
MAX_TOTAL_AMOUNT = 10**15  # keeps every order amount, PPN included, far inside a BigInteger
MAX_MESSAGE_LENGTH = 5000
MAX_SCHEDULE_LENGTH = 300
MAX_REASON_LENGTH = 1000
PROPOSAL_FIELDS = ("lines", "fee_amount", "payment_terms", "schedule", "message")
# Delivery details of the order placed on accept, as checkout/ takes them.
DELIVERY_FIELDS = (
    "contact_name",
    "contact_phone",
    "contact_email",
    "address_line",
    "village",
    "postal_code",
    "shipping",
    "note",
)
# Frequencies of a need that make an accepted supply proposal a recurring partnership.
RECURRING = (Need.Frequency.WEEKLY, Need.Frequency.MONTHLY)

VERBS = {
    Status.ACCEPTED: gettext_lazy("accepted"),
    Status.REJECTED: gettext_lazy("rejected"),
    Status.WITHDRAWN: gettext_lazy("withdrawn"),
}


# --- Validation -------------------------------------------------------------------------------


def _whole(value: Any, *, minimum: int, maximum: int) -> int | None:
    """A whole number within bounds, from an int or a string of digits; None otherwise
    (booleans, floats with a fraction, text, lists, NUL bytes...)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 20):
            return None
        value = int(text)
    elif isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    elif isinstance(value, Decimal):
        if value != value.to_integral_value():
            return None
        value = int(value)
    if not isinstance(value, int) or not minimum <= value <= maximum:
        return None
    return value


def _text(data: Mapping, field: str, max_length: int, errors: dict) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        errors[field] = [_("Give a text.")]
        return ""
    value = value.strip()
    if len(value) > max_length:
        errors[field] = [
            _("Use at most %(count)s characters.") % {"count": max_length},
        ]
    return value


def _product(value: Any, *, posyantek: Organization) -> Product | None:
    """The Posyantek's own product named by a Product, a slug or an id; None if not its own."""
    products = Product.objects.filter(seller=posyantek)
    if isinstance(value, Product):
        return value if value.seller_id == posyantek.pk else None
    if isinstance(value, str) and value and len(value) <= 255 and "\x00" not in value:
        return products.filter(slug=value).first()
    pk = _whole(value, minimum=1, maximum=2**63 - 1)
    return products.filter(pk=pk).first() if pk else None


def _clean_lines(value: Any, *, need: Need, posyantek: Organization, errors: dict) -> list[dict]:
    if value in (None, ""):
        value = []
    if not isinstance(value, list | tuple):
        errors["lines"] = [_("Give the products as a list.")]
        return []
    if not need.product_kinds:
        if value:
            errors["lines"] = [
                _(
                    "A %(kind)s need is answered by the Posyantek itself, without products: "
                    "give a fee and a message instead."
                )
                % {"kind": need.get_kind_display().lower()}
            ]
        return []
    if not value:
        errors["lines"] = [_("Offer at least one of your products.")]
        return []
    if len(value) > MAX_LINES:
        errors["lines"] = [_("Offer at most %(count)s products.") % {"count": MAX_LINES}]
        return []
    lines, messages, seen = [], [], set()
    for position, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            messages.append(_("Line %(n)s: give product, quantity and price.") % {"n": position})
            continue
        product = _product(item.get("product"), posyantek=posyantek)
        quantity = _whole(item.get("quantity"), minimum=1, maximum=MAX_LINE_QUANTITY)
        price = _whole(item.get("unit_price_amount"), minimum=1, maximum=MAX_PRICE_AMOUNT)
        if product is None:
            messages.append(_("Line %(n)s: choose one of your own products.") % {"n": position})
        elif product.status != Product.Status.PUBLISHED:
            messages.append(
                _("Line %(n)s: “%(name)s” is not published.")
                % {"n": position, "name": product.name}
            )
        elif product.kind not in need.product_kinds:
            messages.append(
                _("Line %(n)s: “%(name)s” is not the kind of product this need asks for.")
                % {"n": position, "name": product.name}
            )
        elif product.pk in seen:
            messages.append(
                _("Line %(n)s: “%(name)s” is offered twice.")
                % {"n": position, "name": product.name}
            )
        if quantity is None:
            messages.append(
                _("Line %(n)s: give the quantity as a whole number of selling units, 1 or more.")
                % {"n": position}
            )
        if price is None:
            messages.append(
                _("Line %(n)s: give the price per unit in whole Rupiah, at least Rp 1.")
                % {"n": position}
            )
        if product is not None:
            seen.add(product.pk)
        if not messages:
            lines.append({"product": product, "quantity": quantity, "unit_price_amount": price})
    total = sum(line["quantity"] * line["unit_price_amount"] for line in lines)
    if not messages and total > MAX_TOTAL_AMOUNT:
        messages.append(
            _("The total is more than %(max)s; split it into smaller proposals.")
            % {"max": format_rupiah(MAX_TOTAL_AMOUNT)}
        )
    if messages:
        errors["lines"] = messages
    return lines


def proposal_clean(*, need: Need, posyantek: Organization, data: Any) -> dict[str, Any]:
    """A proposal's fields checked at once: InvalidInput with a message per field at fault."""
    if not isinstance(data, Mapping):
        raise InvalidInput(_("Send the proposal's fields as an object."))
    unknown = set(data) - set(PROPOSAL_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    errors: dict[str, list[str]] = {}
    lines = _clean_lines(data.get("lines"), need=need, posyantek=posyantek, errors=errors)
    fee = data.get("fee_amount")
    if fee not in (None, ""):
        fee = _whole(fee, minimum=0, maximum=MAX_PRICE_AMOUNT)
        if fee is None:
            errors["fee_amount"] = [_("Give the fee in whole Rupiah, zero or more.")]
        elif need.product_kinds:
            errors["fee_amount"] = [
                _("Products are priced per unit; a fee is for research and training only.")
            ]
    else:
        fee = None
    terms = data.get("payment_terms") or PaymentTerms.PREPAID
    if terms not in PaymentTerms.values:
        errors["payment_terms"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(PaymentTerms.values)}
        ]
    schedule = _text(data, "schedule", MAX_SCHEDULE_LENGTH, errors)
    message = _text(data, "message", MAX_MESSAGE_LENGTH, errors)
    if errors:
        raise InvalidInput(fields=errors)
    return {
        "lines": lines,
        "fee_amount": fee,
        "payment_terms": terms,
        "schedule": schedule,
        "message": message,
    }


# --- Moves ------------------------------------------------------------------------------------


def proposal_lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("need", "posyantek")
        .get(pk=proposal.pk)
    )


def _check_move(proposal: Proposal, to_status: str) -> None:
    if to_status not in Proposal.ALLOWED_TRANSITIONS.get(proposal.status, set()):
        raise Conflict(
            _("A proposal that is %(status)s cannot be %(verb)s.")
            % {
                "status": proposal.get_status_display().lower(),
                "verb": VERBS.get(to_status, to_status),
            },
            code="proposal_status",
        )


def _move(
    proposal: Proposal,
    *,
    to_status: str,
    actor: User | None,
    note: str = "",
    fields: dict | None = None,
) -> ProposalEvent:
    _check_move(proposal, to_status)
    from_status = proposal.status
    changed = {"status": to_status, **(fields or {})}
    if to_status in (Status.ACCEPTED, Status.REJECTED):
        changed.update(decided_at=timezone.now(), decided_by=actor)
    for field, value in changed.items():
        setattr(proposal, field, value)
    proposal.save(update_fields=[*changed, "updated_at"])
    return ProposalEvent.objects.create(
        proposal=proposal,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=(note or "")[:MAX_REASON_LENGTH],
    )


def _notify(proposal_id: int, event: str) -> None:
    from mitra import tasks  # tasks import the services: import here, not at the top

    transaction.on_commit(lambda: tasks.proposal_notification_send_task.delay(proposal_id, event))


@transaction.atomic
def proposal_submit(
    *, need: Need, posyantek: Organization, actor: User, data: Mapping[str, Any]
) -> Proposal:
    """A Posyantek's proposal for an open or in-discussion need of a verified organisation:
    lines of its own published products that fit the need's kind (supply, technology) or,
    for research and training, an optional fee. One submitted proposal per need and
    Posyantek (Conflict; withdraw it to send another). The partner's owners and managers are
    told after commit."""
    need = need_lock(need)
    if not need.is_active or not need.organization.is_verified:
        raise Conflict(
            _("This need is %(status)s: it no longer takes proposals.")
            % {"status": need.get_status_display().lower()},
            code="need_status",
        )
    if posyantek.kind != Organization.Kind.POSYANTEK:
        raise Conflict(_("Only a Posyantek answers partner needs."), code="not_a_posyantek")
    if not posyantek.is_verified:
        raise Conflict(
            _("Only a verified Posyantek can send proposals. Finish the verification first."),
            code="organization_not_verified",
        )
    cleaned = proposal_clean(need=need, posyantek=posyantek, data=data)
    if Proposal.objects.filter(need=need, posyantek=posyantek, status=Status.SUBMITTED).exists():
        raise Conflict(_("You already sent a proposal for this need."), code="proposal_exists")
    lines = cleaned.pop("lines")
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                need=need, posyantek=posyantek, created_by=actor, **cleaned
            )
    except IntegrityError:  # a twin submit got in first
        raise Conflict(
            _("You already sent a proposal for this need."), code="proposal_exists"
        ) from None
    ProposalLine.objects.bulk_create([ProposalLine(proposal=proposal, **line) for line in lines])
    ProposalEvent.objects.create(
        proposal=proposal, actor=actor, from_status="", to_status=Status.SUBMITTED
    )
    _notify(proposal.pk, "submitted")
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    """submitted → withdrawn, by the Posyantek; Conflict once decided."""
    proposal = proposal_lock(proposal)
    _move(proposal, to_status=Status.WITHDRAWN, actor=actor, note=note)
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: Proposal, actor: User, reason: str = "") -> Proposal:
    """submitted → rejected, by the partner, with an optional reason the Posyantek is told
    after commit; Conflict once decided or withdrawn."""
    if not isinstance(reason, str) or "\x00" in reason:
        raise InvalidInput(fields={"reason": [_("Give a text.")]})
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(
            fields={
                "reason": [_("Use at most %(count)s characters.") % {"count": MAX_REASON_LENGTH}]
            }
        )
    proposal = proposal_lock(proposal)
    _move(
        proposal,
        to_status=Status.REJECTED,
        actor=actor,
        note=reason.strip(),
        fields={"decision_note": reason.strip()},
    )
    _notify(proposal.pk, "rejected")
    return proposal


def accepted_quantity(need: Need) -> Decimal:
    """What the need's accepted proposals deliver (once), in the need's own unit; lines whose
    product cannot be stated in that unit count nothing."""
    total = Decimal(0)
    lines = ProposalLine.objects.filter(
        proposal__need=need, proposal__status=Status.ACCEPTED
    ).select_related("product")
    for line in lines:
        per_unit = units.need_unit_per_selling_unit(
            unit=need.unit,
            selling_unit=line.product.selling_unit,
            weight_per_unit_kg=line.product.weight_per_unit_kg,
        )
        if per_unit is not None:
            total += per_unit * line.quantity
    return total


def _delivery_details(data: Mapping[str, Any], posyantek: Organization) -> dict[str, Any]:
    """The delivery details as checkout/ takes them; `shipping_method` (pickup by default)
    stands for checkout's {seller slug: method}. Empty when none is given (a need answered
    without an order)."""
    details = {field: data[field] for field in DELIVERY_FIELDS if field in data}
    if details and "shipping" not in details:
        details["shipping"] = {posyantek.slug: data.get("shipping_method") or "pickup"}
    return details


def _accept_terms(proposal: Proposal, data: Mapping[str, Any]) -> str:
    terms = data.get("payment_terms") or PaymentTerms.PREPAID
    if terms == PaymentTerms.PREPAID or (
        terms == proposal.payment_terms and terms in PaymentTerms.values
    ):
        return terms
    if proposal.payment_terms == PaymentTerms.PREPAID:
        message = _("This proposal is prepaid only.")
    else:
        message = _("Choose prepaid or %(terms)s, as the proposal offers.") % {
            "terms": proposal.get_payment_terms_display().lower()
        }
    raise InvalidInput(fields={"payment_terms": [message]})


def _place_order(*, proposal: Proposal, actor: User, data: Mapping[str, Any], terms: str):
    from orders.services import terms as orders_terms

    lines = [
        orders_terms.TermsLine(
            product=line.product, quantity=line.quantity, unit_price_amount=line.unit_price_amount
        )
        for line in proposal.lines.select_related("product__seller").order_by("product_id")
    ]
    order_data = {
        **_delivery_details(data, proposal.posyantek),
        "buyer_organization": proposal.need.organization.slug,
    }
    if data.get("payment_method"):
        order_data["payment_method"] = data["payment_method"]
    return orders_terms.order_place_agreed(
        user=actor, data=order_data, lines=lines, payment_terms=terms
    )


@transaction.atomic
def proposal_accept(*, proposal: Proposal, actor: User, data: Mapping[str, Any]) -> Proposal:
    """submitted → accepted, by the partner. A proposal with products (supply, or machines for
    a technology need) places one order for the need's organisation at the agreed prices
    (prepaid, or on the net terms the proposal offers; `data` = the delivery details as
    checkout/ takes them, `payment_terms`, optional `payment_method`), reserving stock or
    capacity. A recurring supply need, or a proposal without products (research, training,
    co-development), becomes an active partnership. The need becomes fulfilled when the
    accepted quantity reaches the requested one (the other submitted proposals are then
    rejected), else in discussion. All or nothing: if the order cannot be placed, nothing
    changes (Conflict or InvalidInput from the orders services)."""
    if not isinstance(data, Mapping):
        raise InvalidInput(_("Send the delivery details as an object."))
    need = need_lock(proposal.need)
    proposal = proposal_lock(proposal)
    _check_move(proposal, Status.ACCEPTED)
    if not need.is_active:
        raise Conflict(
            _("This need is %(status)s: its proposals can no longer be accepted.")
            % {"status": need.get_status_display().lower()},
            code="need_status",
        )
    terms = _accept_terms(proposal, data)
    has_lines = proposal.lines.exists()
    order = None
    if has_lines:  # products bought: ampas tahu (supply) or ten fish dryers (technology)
        order = _place_order(proposal=proposal, actor=actor, data=data, terms=terms)
    _move(
        proposal,
        to_status=Status.ACCEPTED,
        actor=actor,
        note=_("Order %(number)s placed.") % {"number": order.number} if order else "",
        fields={"order": order} if order else None,
    )
    recurring = has_lines and need.kind == Need.Kind.SUPPLY and need.frequency in RECURRING
    if recurring or not has_lines:
        from mitra.services.partnerships import partnership_create_from_proposal

        partnership_create_from_proposal(
            proposal=proposal,
            actor=actor,
            order_details=_delivery_details(data, proposal.posyantek),
            first_order=order,
        )
    _need_after_accept(need, actor=actor, proposal=proposal)
    _notify(proposal.pk, "accepted")
    return proposal


def _need_after_accept(need: Need, *, actor: User, proposal: Proposal) -> None:
    """fulfilled when the accepted quantity reaches the requested one (other submitted
    proposals are then rejected); else in discussion (from open)."""
    fulfilled = need.quantity is not None and accepted_quantity(need) >= need.quantity
    note = _("Proposal of %(posyantek)s accepted.") % {"posyantek": proposal.posyantek.name}
    if fulfilled:
        need_move(need, to_status=Need.Status.FULFILLED, actor=actor, note=note)
        others = (
            Proposal.objects.select_for_update()
            .filter(need=need, status=Status.SUBMITTED)
            .order_by("pk")
        )
        reason = _("The need has been fulfilled by another proposal.")
        for other in others:
            _move(
                other,
                to_status=Status.REJECTED,
                actor=None,
                note=reason,
                fields={"decision_note": reason},
            )
            _notify(other.pk, "rejected")
    elif need.status == Need.Status.OPEN:
        need_move(need, to_status=Need.Status.IN_DISCUSSION, actor=actor, note=note)


def line_total(line: ProposalLine) -> int:
    return line.quantity * line.unit_price_amount


def proposal_total(proposal: Proposal, lines: Sequence[ProposalLine] | None = None) -> int:
    """The goods total (whole Rupiah excl. PPN and shipping), or the fee."""
    lines = list(proposal.lines.all()) if lines is None else lines
    if lines:
        return sum(line_total(line) for line in lines)
    return proposal.fee_amount or 0


def delivered_units(proposal: Proposal, need: Need) -> Decimal | None:
    """The proposal's quantity in the need's unit (None when it has no product lines or
    cannot be stated in it)."""
    total, known = Decimal(0), False
    for line in proposal.lines.all():
        per_unit = units.need_unit_per_selling_unit(
            unit=need.unit,
            selling_unit=line.product.selling_unit,
            weight_per_unit_kg=line.product.weight_per_unit_kg,
        )
        if per_unit is not None:
            total += per_unit * line.quantity
            known = True
    return total if known and need.unit else None


__all__ = [
    "accepted_quantity",
    "delivered_units",
    "line_total",
    "proposal_accept",
    "proposal_clean",
    "proposal_reject",
    "proposal_submit",
    "proposal_total",
    "proposal_withdraw",
]
