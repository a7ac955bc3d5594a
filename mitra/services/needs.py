"""Partner needs: creating, editing, publishing, closing and expiring them, and keeping their
matches with Posyantek up to date.

Callers check *who may* (mitra.permissions); these check *what is allowed now* (a partner
organisation, verified to publish; a legal status move; complete and sensible data), record a
NeedEvent for every status move and edit, and queue the matching after commit.

Matching is debounced per need: `need_match_request` marks the need (`match_requested_at`) and
queues one `need_match_compute_task` with a countdown of MITRA_MATCH_DEBOUNCE_SECONDS; further
requests while it is marked queue nothing. The compute clears the mark first (under the need's
row lock), so a change made while it runs queues the next one. A mark older than
MATCH_REQUEST_STALE (its task was lost) no longer blocks a new request.
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from core.errors import Conflict, InvalidInput
from marketplace.models import Category, Certification, Product
from mitra.models import Match, Need, NeedEvent, NeedNotification
from regions.models import District

Status = Need.Status

# Organisations that post needs: every kind but a Posyantek (which answers them).
PARTNER_KINDS = frozenset(
    {
        Organization.Kind.INDUSTRY,
        Organization.Kind.UNIVERSITY,
        Organization.Kind.GOVERNMENT,
        Organization.Kind.NGO,
        Organization.Kind.UKM,
    }
)
EDITABLE_FIELDS = (
    "direction",
    "kind",
    "title",
    "description",
    "category",
    "quantity",
    "unit",
    "frequency",
    "budget_amount",
    "required_certifications",
    "delivery_district",
    "deadline",
)
EDITABLE_STATUSES = (Status.DRAFT, Status.OPEN, Status.IN_DISCUSSION)
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000
MAX_NOTE_LENGTH = 1000
MAX_QUANTITY = Decimal("999999999.999")
MATCH_REQUEST_STALE = datetime.timedelta(minutes=30)

# What each move is called in a refusal ("A need that is closed cannot be published.").
VERBS = {
    Status.OPEN: gettext_lazy("published"),
    Status.IN_DISCUSSION: gettext_lazy("taken into discussion"),
    Status.FULFILLED: gettext_lazy("marked fulfilled"),
    Status.CLOSED: gettext_lazy("closed"),
    Status.EXPIRED: gettext_lazy("expired"),
}


# --- Validation -------------------------------------------------------------------------------


def _choice(value: Any, choices: type, field: str, errors: dict) -> str:
    if value not in choices.values:
        errors[field] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}]
    return value


def _clean(data: dict[str, Any], *, current: Need | None = None) -> dict[str, Any]:
    """The fields of `data` that are known, checked one by one and then together (against the
    need's current values for those not given). Raises InvalidInput with every field's
    message at once."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field, value in data.items():
        if field == "direction":
            cleaned[field] = _choice(value, Need.Direction, field, errors)
        elif field == "kind":
            cleaned[field] = _choice(value, Need.Kind, field, errors)
        elif field == "frequency":
            cleaned[field] = _choice(value, Need.Frequency, field, errors)
        elif field == "unit":
            value = value or ""
            if value:
                _choice(value, Need.Unit, field, errors)
            cleaned[field] = value
        elif field == "title":
            value = " ".join(str(value or "").split())
            if not value:
                errors[field] = [_("Give the need a short title, e.g. “Ampas tahu 5 ton/minggu”.")]
            elif len(value) > MAX_TITLE_LENGTH:
                errors[field] = [
                    _("Keep the title under %(max)s characters.") % {"max": MAX_TITLE_LENGTH}
                ]
            cleaned[field] = value
        elif field == "description":
            value = str(value or "").strip()
            if len(value) > MAX_DESCRIPTION_LENGTH:
                errors[field] = [
                    _("Keep the description under %(max)s characters.")
                    % {"max": MAX_DESCRIPTION_LENGTH}
                ]
            cleaned[field] = value
        elif field == "category":
            if not isinstance(value, Category):
                errors[field] = [_("Choose a category.")]
            cleaned[field] = value
        elif field == "delivery_district":
            if not isinstance(value, District):
                errors[field] = [_("Choose the kecamatan to deliver to.")]
            elif value.is_retired and (current is None or current.delivery_district_id != value.pk):
                errors[field] = [
                    _("This kecamatan is no longer in the official list. Choose its successor.")
                ]
            cleaned[field] = value
        elif field == "quantity":
            if value in (None, ""):
                cleaned[field] = None
                continue
            try:
                quantity = Decimal(str(value))
            except (InvalidOperation, ValueError):
                errors[field] = [_("Give the quantity as a number, e.g. 5 or 2.5.")]
                continue
            if not quantity.is_finite() or quantity <= 0 or quantity > MAX_QUANTITY:
                errors[field] = [_("Give a quantity above zero.")]
            elif quantity != quantity.quantize(Decimal("0.001")):
                errors[field] = [_("Use at most three decimals.")]
            cleaned[field] = quantity
        elif field == "budget_amount":
            if value in (None, ""):
                cleaned[field] = None
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors[field] = [_("Give the budget in whole Rupiah, zero or more.")]
            else:
                cleaned[field] = value
        elif field == "required_certifications":
            if not isinstance(value, (list, tuple)):
                errors[field] = [_("Give a list of certification types.")]
                continue
            unknown_types = [t for t in value if t not in Certification.Type.values]
            if unknown_types:
                errors[field] = [
                    _("Unknown certification type: %(types)s. Choose from %(choices)s.")
                    % {
                        "types": ", ".join(map(str, unknown_types)),
                        "choices": ", ".join(Certification.Type.values),
                    }
                ]
            cleaned[field] = sorted(set(value) & set(Certification.Type.values))
        elif field == "deadline":
            if value is None or value == "":
                cleaned[field] = None
            elif not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
                errors[field] = [_("Give the deadline as a date.")]
            elif value < timezone.localdate() and (current is None or current.deadline != value):
                errors[field] = [_("The deadline has passed. Choose today or a later date.")]
            else:
                cleaned[field] = value
    if errors:
        raise InvalidInput(fields=errors)

    def final(field: str) -> Any:
        if field in cleaned:
            return cleaned[field]
        return getattr(current, field) if current is not None else None

    quantity, unit = final("quantity"), final("unit") or ""
    if quantity is not None and not unit:
        errors["unit"] = [_("Say what the quantity is counted in: kg, ton, liter or unit.")]
    if quantity is None and unit:
        errors["quantity"] = [_("Give the quantity, or leave the unit empty.")]
    if final("kind") == Need.Kind.SUPPLY and quantity is None:
        errors["quantity"] = [_("A supply need says how much is needed, e.g. 5 ton.")]
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def _check_partner(organization: Organization) -> None:
    if organization.kind not in PARTNER_KINDS:
        raise Conflict(
            _(
                "A Posyantek answers partner needs; it does not post them. Post the need from "
                "your company, university, dinas, NGO or UKM."
            ),
            code="not_a_partner",
        )


# --- The one mover ----------------------------------------------------------------------------


def need_lock(need: Need) -> Need:
    """The need, re-read under a row lock (the caller is inside a transaction)."""
    return (
        Need.objects.select_for_update(of=("self",))
        .select_related("organization", "category", "delivery_district")
        .get(pk=need.pk)
    )


def check_move(need: Need, to_status: str) -> None:
    if to_status not in Need.ALLOWED_TRANSITIONS.get(need.status, set()):
        raise Conflict(
            _("A need that is %(status)s cannot be %(verb)s.")
            % {
                "status": need.get_status_display().lower(),
                "verb": VERBS.get(to_status, to_status),
            },
            code="need_status",
        )


def need_move(
    need: Need, *, to_status: str, actor: User | None, note: str = "", fields: dict | None = None
) -> NeedEvent:
    """Move a locked need (see need_lock) to `to_status`, with `fields`, saved with
    update_fields, and record the event; Conflict if the move is not allowed. Entering an
    active status queues its matching."""
    check_move(need, to_status)
    from_status = need.status
    changed = {"status": to_status, **(fields or {})}
    if to_status in (Status.CLOSED, Status.EXPIRED, Status.FULFILLED):
        changed["closed_at"] = timezone.now()
    for field, value in changed.items():
        setattr(need, field, value)
    need.save(update_fields=[*changed, "updated_at"])
    event = NeedEvent.objects.create(
        need=need,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=(note or "")[:MAX_NOTE_LENGTH],
    )
    if to_status in Need.ACTIVE and from_status not in Need.ACTIVE:
        need_match_request(need_id=need.pk)
    return event


# --- Needs ------------------------------------------------------------------------------------


@transaction.atomic
def need_create(*, organization: Organization, actor: User, data: dict[str, Any]) -> Need:
    """A draft need of a partner organisation (any verification state: unverified ones may
    prepare drafts). Raises InvalidInput with every field's message, or Conflict for a
    Posyantek."""
    _check_partner(organization)
    data = {"delivery_district": organization.district, **data}
    cleaned = _clean(data)
    missing = {
        field: [_("This field is required.")]
        for field in ("kind", "title", "category")
        if field not in cleaned
    }
    if missing:
        raise InvalidInput(fields=missing)
    need = Need.objects.create(organization=organization, created_by=actor, **cleaned)
    NeedEvent.objects.create(need=need, actor=actor, from_status="", to_status=Status.DRAFT)
    return need


@transaction.atomic
def need_update(*, need: Need, actor: User, data: dict[str, Any]) -> Need:
    """Change a need that is a draft, open or in discussion; records what changed and, for an
    active need, queues its matching. Conflict once the need is fulfilled, closed or expired."""
    need = need_lock(need)
    if need.status not in EDITABLE_STATUSES:
        raise Conflict(
            _("A need that is %(status)s can no longer be changed.")
            % {"status": need.get_status_display().lower()},
            code="need_status",
        )
    cleaned = _clean(data, current=need)
    changed = [field for field, value in cleaned.items() if getattr(need, field) != value]
    if not changed:
        return need
    for field in changed:
        setattr(need, field, cleaned[field])
    need.save(update_fields=[*changed, "updated_at"])
    NeedEvent.objects.create(
        need=need,
        actor=actor,
        kind=NeedEvent.Kind.EDITED,
        from_status=need.status,
        to_status=need.status,
        note=", ".join(changed),
    )
    if need.is_active:
        need_match_request(need_id=need.pk)
    return need


@transaction.atomic
def need_publish(*, need: Need, actor: User) -> Need:
    """Draft → open: shown on the needs board and matched with Posyantek. Only a verified
    organisation publishes (Conflict otherwise); a need whose deadline has passed cannot be
    published."""
    need = need_lock(need)
    check_move(need, Status.OPEN)
    if not need.organization.is_verified:
        raise Conflict(
            _(
                "Only a verified organisation can publish needs. Your draft is kept; it can be "
                "published once the organisation is verified."
            ),
            code="organization_not_verified",
        )
    if need.deadline and need.deadline < timezone.localdate():
        raise Conflict(
            _("The deadline has passed. Set a new deadline, then publish."),
            code="deadline_passed",
        )
    need_move(need, to_status=Status.OPEN, actor=actor, fields={"published_at": timezone.now()})
    return need


@transaction.atomic
def need_close(*, need: Need, actor: User, note: str = "") -> Need:
    """Close a draft, open or in-discussion need (its organisation, or platform staff hiding
    it): it leaves the board and is no longer matched."""
    need = need_lock(need)
    need_move(need, to_status=Status.CLOSED, actor=actor, note=note)
    return need


def needs_due_for_expiry(*, today: datetime.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(
        Need.objects.filter(status__in=Need.ACTIVE, deadline__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def need_expire(*, need_id: int, today: datetime.date | None = None) -> bool:
    """Expire one active need whose deadline (a day in Asia/Jakarta) has passed. Re-checked
    under the lock: False, and nothing changes, if it no longer qualifies."""
    today = today or timezone.localdate()
    with transaction.atomic():
        need = Need.objects.select_for_update().filter(pk=need_id).first()
        if need is None or need.status not in Need.ACTIVE:
            return False
        if need.deadline is None or need.deadline >= today:
            return False
        need_move(need, to_status=Status.EXPIRED, actor=None, note=_("Deadline passed."))
        return True


def needs_expire_due(*, today: datetime.date | None = None) -> int:
    """Beat: expire every active need past its deadline; returns how many. Two runs at once
    expire each need once."""
    return sum(need_expire(need_id=pk, today=today) for pk in needs_due_for_expiry(today=today))


# --- Matching ---------------------------------------------------------------------------------


def need_match_request(*, need_id: int) -> bool:
    """Ask for the need's matches to be recomputed, debounced: True if a compute task was
    queued now (after commit, with a countdown), False if one is already waiting or the need
    is not active."""
    now = timezone.now()
    marked = (
        Need.objects.filter(pk=need_id, status__in=Need.ACTIVE)
        .filter(
            Q(match_requested_at__isnull=True) | Q(match_requested_at__lt=now - MATCH_REQUEST_STALE)
        )
        .update(match_requested_at=now)
    )
    if not marked:
        return False
    from mitra import tasks  # tasks import the services: import here, not at the top

    countdown = settings.MITRA_MATCH_DEBOUNCE_SECONDS
    transaction.on_commit(
        lambda: tasks.need_match_compute_task.apply_async(args=[need_id], countdown=countdown)
    )
    return True


def needs_for_product(product_id: int) -> list[int]:
    """Active needs a change to this product may re-rank — every need the engine could find
    it for (mitra.matching): those in its field (its category's top-level category, where
    every category fit starts), those with a word of their title in the product (the text
    candidates), and those its Posyantek already matches."""
    product = (
        Product.objects.select_related("category", "category__parent")
        .filter(pk=product_id)
        .only(
            "seller_id",
            "name",
            "description",
            "category__name",
            "category__parent_id",
            "category__parent__name",
        )
    ).first()
    if product is None:
        return []
    related = Q(matches__posyantek_id=product.seller_id)
    if product.category_id:
        top = product.category.parent_id or product.category_id
        related |= Q(category_id=top) | Q(category__parent_id=top)
    active = Need.objects.filter(status__in=Need.ACTIVE)
    found = set(active.filter(related).values_list("pk", flat=True).distinct())
    return sorted(found | set(_needs_naming(product, active.exclude(pk__in=found))))


# A need's title words, any of them, against the product's search vector: the engine's text
# candidates seen from the product's side (one statement, whatever the number of needs).
_NEEDS_NAMING_SQL = """
SELECT n.id FROM {need} AS n, {product} AS p
WHERE p.id = %s AND n.id = ANY(%s) AND p.search_vector @@ replace(
    plainto_tsquery(%s::regconfig, n.title)::text, ' & ', ' | '
)::tsquery
"""


def _needs_naming(product: Product, needs) -> list[int]:
    from marketplace.search import SEARCH_CONFIG

    ids = list(needs.values_list("pk", flat=True))
    if not ids:
        return []
    if connection.vendor == "postgresql":
        sql = _NEEDS_NAMING_SQL.format(
            need=connection.ops.quote_name(Need._meta.db_table),
            product=connection.ops.quote_name(Product._meta.db_table),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [product.pk, ids, SEARCH_CONFIG])
            return [row[0] for row in cursor.fetchall()]
    # SQLite (one laptop): the same words as the engine's fallback, in Python.
    category = product.category
    text = " ".join(
        [
            product.name,
            product.description,
            category.name if category else "",
            category.parent.name if category and category.parent_id else "",
        ]
    ).lower()
    from mitra.matching.engine import need_words

    # The engine's own title words (no stop words, numbers or short words): "5" in
    # "Ampas tahu 5 ton" must not name every product whose text holds a 5.
    return [
        pk
        for pk, title in needs.values_list("pk", "title")
        if any(word in text for word in need_words(Need(title=title)))
    ]


def needs_match_refresh() -> int:
    """Request a recompute of every active need (beat, daily): matches also change with time
    alone (a certificate's validity, the production month's capacity, the responsiveness
    window). Returns how many were queued now."""
    ids = Need.objects.filter(status__in=Need.ACTIVE).order_by("pk").values_list("pk", flat=True)
    return sum(need_match_request(need_id=pk) for pk in list(ids))


def needs_match_request_for_product(*, product_id: int, changed_fields: list[str]) -> int:
    """A product changed in a way that matters to matching (marketplace's product_changed):
    request a recompute of each need it may re-rank. Returns how many were queued now (the
    others were already waiting)."""
    return sum(need_match_request(need_id=pk) for pk in needs_for_product(product_id))


def need_match_compute(*, need_id: int) -> list[Match]:
    """Rank the Posyantek for an active need (mitra.matching) and store the best
    MITRA_MATCHES_KEPT as its matches, replacing the previous ones; then tell the Posyantek in
    the top MITRA_NOTIFY_TOP with a score of at least MITRA_NOTIFY_MIN_SCORE — each at most
    once per need, ever. A need that is no longer active keeps its last matches."""
    from mitra import tasks
    from mitra.matching import need_rank

    with transaction.atomic():
        need = (
            Need.objects.select_for_update(of=("self",))
            .select_related("organization", "category", "delivery_district")
            .filter(pk=need_id)
            .first()
        )
        if need is None:
            return []
        # From here on, a change queues the next compute (the mark is cleared under our lock).
        Need.objects.filter(pk=need.pk).update(match_requested_at=None)
        if not need.is_active:
            return list(need.matches.all())
        results = need_rank(need)[: settings.MITRA_MATCHES_KEPT]
        Match.objects.filter(need=need).delete()
        matches = Match.objects.bulk_create(
            [
                Match(
                    need=need,
                    posyantek_id=result.posyantek_id,
                    product_id=result.product_id,
                    score=result.score,
                    rank=position,
                    components=result.components,
                    facts=result.facts,
                )
                for position, result in enumerate(results, start=1)
            ]
        )
        Need.objects.filter(pk=need.pk).update(matches_computed_at=timezone.now())
        for match in matches[: settings.MITRA_NOTIFY_TOP]:
            if match.score < settings.MITRA_NOTIFY_MIN_SCORE:
                break
            notification = _notification_claim(need=need, match=match)
            if notification is not None:
                transaction.on_commit(
                    lambda pk=notification.pk: tasks.need_notification_send_task.delay(pk)
                )
        return matches


def _notification_claim(*, need: Need, match: Match) -> NeedNotification | None:
    """The notification row for this need and Posyantek if it is new, else None (already
    told, by this run or any earlier one)."""
    try:
        with transaction.atomic():
            notification, created = NeedNotification.objects.get_or_create(
                need=need, posyantek_id=match.posyantek_id, defaults={"score": match.score}
            )
    except IntegrityError:  # a twin run inserted it between our read and our insert
        return None
    return notification if created else None
