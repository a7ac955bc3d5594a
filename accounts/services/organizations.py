"""Organisations, their members, invitations, documents and verification.

Every write goes through one of these functions: pages, API, admin actions and commands call
them. Callers check *who may* (accounts.permissions); these check *what is allowed now*
(statuses, the last owner) and record an OrganizationEvent for each step.
"""

import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationDocument,
    OrganizationEvent,
    Role,
    User,
)
from accounts.phone import normalize_phone
from config.celery_app import dispatch_on_commit
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TooManyRequests
from core.files import SCAN_TYPES, check_upload
from regions.codes import Level, level_of
from regions.models import District, Province, Regency, Village

Status = Organization.VerificationStatus

# Fields an owner or manager edits on the profile; the rest need the owner (DESIGN.md table).
PROFILE_FIELDS = {"description", "address", "whatsapp", "email", "website"}
LEGAL_FIELDS = {
    "name",
    "district",
    "village",
    "nib",
    "npwp",
    "posyantek_level",
    "decree_number",
    "is_pkp",
    "payout_bank_name",
    "payout_account_number",
    "payout_account_holder",
}
EDITABLE_FIELDS = PROFILE_FIELDS | LEGAL_FIELDS
PAYOUT_FIELDS = {"payout_bank_name", "payout_account_number", "payout_account_holder"}

CODE_PATTERN = re.compile(r"^[A-Z0-9]{2,8}$")
# Words that say what an organisation is rather than which one it is: skipped in codes.
GENERIC_WORDS = {
    "POSYANTEK", "POSYANTEKDES", "KECAMATAN", "DESA", "KELURAHAN", "KOTA", "KABUPATEN", "PT",
    "CV", "UD", "TBK", "UNIVERSITAS", "FAKULTAS", "DINAS", "DAN", "DARI", "DI", "THE", "OF",
}  # fmt: skip
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
REQUIRED_DOCUMENTS = {
    Organization.Kind.POSYANTEK: [OrganizationDocument.Kind.SK_CAMAT],
}


# --- Validation of organisation fields --------------------------------------------------------


def _digits(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def _clean_fields(data: dict[str, Any], *, kind: str) -> dict[str, Any]:
    """Normalise and check organisation fields; raise InvalidInput with messages by field."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)
    if "name" in cleaned:
        cleaned["name"] = " ".join((cleaned["name"] or "").split())
        if not cleaned["name"]:
            errors["name"] = [_("Enter the organisation's name.")]
    if cleaned.get("whatsapp"):
        try:
            cleaned["whatsapp"] = normalize_phone(cleaned["whatsapp"])
        except ValidationError as error:
            errors["whatsapp"] = error.messages
    if cleaned.get("nib"):
        cleaned["nib"] = _digits(cleaned["nib"])
        if len(cleaned["nib"]) != 13:
            errors["nib"] = [_("The NIB has 13 digits.")]
    if cleaned.get("npwp"):
        cleaned["npwp"] = _digits(cleaned["npwp"])
        if len(cleaned["npwp"]) not in (15, 16):
            errors["npwp"] = [_("The NPWP has 15 or 16 digits.")]
    if "district" in cleaned:
        district = cleaned["district"]
        if not isinstance(district, District) or district.is_retired:
            errors["district"] = [_("Choose the kecamatan from the list.")]
    village = cleaned.get("village")
    if village is not None:
        district = cleaned.get("district")
        if not isinstance(village, Village) or village.is_retired:
            errors["village"] = [_("Choose the village from the list.")]
        elif isinstance(district, District) and village.district_id != district.code:
            errors["village"] = [_("This village is not in the chosen kecamatan.")]
    if kind == Organization.Kind.POSYANTEK:
        level = cleaned.get("posyantek_level")
        if "posyantek_level" in cleaned and level not in Organization.PosyantekLevel.values:
            errors["posyantek_level"] = [_("Choose the Posyantek level: kecamatan or desa.")]
        if level == Organization.PosyantekLevel.DESA and not village:
            errors["village"] = [_("A Posyantekdes also gives its village.")]
    elif cleaned.get("posyantek_level"):
        errors["posyantek_level"] = [_("Only a Posyantek has a level.")]
    for name, value in cleaned.items():
        limit = _max_length(name)
        if isinstance(value, str) and limit and len(value) > limit and name not in errors:
            errors[name] = [_("Use at most %(limit)d characters.") % {"limit": limit}]
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def _max_length(name: str) -> int | None:
    try:
        return Organization._meta.get_field(name).max_length
    except FieldDoesNotExist:
        return None


# Words the organisation pages use as paths under /organisasi/ (see accounts/organization_urls.py).
RESERVED_SLUGS = {"baru", "undangan"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organisasi"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or Organization.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def suggest_code(name: str) -> str:
    """A short code from the name's distinctive words: "Posyantek Kecamatan Purwakarta" → "PWK"
    style (first letter, then consonants), made unique with a digit when taken."""
    words = [w for w in re.findall(r"[A-Za-z0-9]+", name.upper()) if w not in GENERIC_WORDS]
    if not words:
        words = re.findall(r"[A-Za-z0-9]+", name.upper()) or ["ORG"]
    if len(words) >= 3:
        base = "".join(word[0] for word in words[:4])
    else:
        word = words[0]
        consonants = [ch for ch in word[1:] if ch not in "AEIOU"]
        base = word[0] + "".join(consonants[::2])[:2]
        if len(words) == 2:
            base = base[:2] + words[1][0]
    base = (base + "ORG")[:3] if len(base) < 2 else base[:6]
    candidate, number = base, 2
    while Organization.objects.filter(code=candidate).exists():
        suffix = str(number)
        candidate, number = f"{base[: 8 - len(suffix)]}{suffix}", number + 1
    return candidate


def _event(
    organization: Organization,
    *,
    kind: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> OrganizationEvent:
    return OrganizationEvent.objects.create(
        organization=organization,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _locked(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)


# --- Organisations ----------------------------------------------------------------------------


@transaction.atomic
def organization_create(
    *, user: User, kind: str, name: str, code: str = "", **fields
) -> Organization:
    """Create an organisation with `user` as its owner. It starts unverified.

    Requires a verified e-mail address (PermissionDenied otherwise). `code` is optional (a short
    unique one is suggested from the name) and can never change afterwards.
    """
    if not user.is_email_verified:
        raise PermissionDenied(
            _("Confirm your e-mail address first: open the link we sent you."),
            code="email_not_verified",
        )
    if kind not in Organization.Kind.values:
        raise InvalidInput(fields={"kind": [_("Choose what kind of organisation this is.")]})
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(fields={field: [_("This field cannot be set.")] for field in unknown})
    if kind == Organization.Kind.POSYANTEK:
        fields.setdefault("posyantek_level", Organization.PosyantekLevel.KECAMATAN)
    cleaned = _clean_fields({"name": name, **fields}, kind=kind)
    if "district" not in cleaned:
        raise InvalidInput(fields={"district": [_("Choose the kecamatan from the list.")]})
    code = (code or "").strip().upper()
    if code:
        if not CODE_PATTERN.match(code):
            raise InvalidInput(
                fields={"code": [_("Use 2 to 8 capital letters or digits, e.g. PWK.")]}
            )
        if Organization.objects.filter(code=code).exists():
            raise InvalidInput(fields={"code": [_("This code is already taken. Choose another.")]})
    else:
        code = suggest_code(cleaned["name"])
    try:
        with transaction.atomic():
            organization = Organization.objects.create(
                kind=kind,
                code=code,
                slug=_unique_slug(cleaned["name"]),
                created_by=user,
                **cleaned,
            )
    except IntegrityError:
        raise Conflict(
            _("Someone just took this code or name. Try again."), code="duplicate"
        ) from None
    Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
    _event(organization, kind=OrganizationEvent.Kind.CREATED, actor=user)
    return organization


@transaction.atomic
def organization_update(
    *, organization: Organization, actor: User, data: dict[str, Any]
) -> Organization:
    """Change profile and legal fields. The caller has checked that `actor` may change each
    field (accounts.permissions); `code`, `kind`, `slug` and the verification never change here."""
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(
            fields={field: [_("This field cannot be changed.")] for field in unknown}
        )
    organization = _locked(organization)
    current = {
        "district": organization.district,
        "village": organization.village,
        "posyantek_level": organization.posyantek_level,
    }
    cleaned = _clean_fields({**current, **data}, kind=organization.kind)
    changed = [field for field in data if getattr(organization, field) != cleaned[field]]
    for field in changed:
        setattr(organization, field, cleaned[field])
    if changed:
        organization.save(update_fields=[*changed, "updated_at"])
        # A trace of who changed what: staff see it when a verified organisation changes its
        # legal identity, and the owners are told when the payout account changes.
        event = _event(
            organization,
            kind=OrganizationEvent.Kind.PROFILE_CHANGED,
            actor=actor,
            note=", ".join(sorted(changed)),
        )
        if PAYOUT_FIELDS & set(changed):
            from accounts.tasks import send_payout_account_changed

            dispatch_on_commit(send_payout_account_changed, event.pk)
    return organization


@transaction.atomic
def organization_set_jurisdiction(
    *, organization: Organization, actor: User, jurisdiction: str
) -> Organization:
    """Set the province or regency a government organisation oversees (platform staff)."""
    if organization.kind != Organization.Kind.GOVERNMENT:
        raise Conflict(
            _("Only a government organisation has a jurisdiction."), code="not_government"
        )
    jurisdiction = (jurisdiction or "").strip()
    level = level_of(jurisdiction)
    model = {Level.PROVINCE: Province, Level.REGENCY: Regency}.get(level)
    if jurisdiction and (model is None or not model.objects.filter(code=jurisdiction).exists()):
        raise InvalidInput(
            fields={
                "jurisdiction": [
                    _("Give a province code (e.g. 64) or a regency code (e.g. 64.72).")
                ]
            }
        )
    organization = _locked(organization)
    previous = organization.jurisdiction
    organization.jurisdiction = jurisdiction
    organization.save(update_fields=["jurisdiction", "updated_at"])
    _event(
        organization,
        kind=OrganizationEvent.Kind.JURISDICTION_SET,
        actor=actor,
        from_status=previous,
        to_status=jurisdiction,
    )
    return organization


# --- Documents and verification ---------------------------------------------------------------


def _check_document(file: UploadedFile) -> str:
    """The file's real type by its first bytes; returns the extension to keep."""
    return check_upload(
        file,
        field="file",
        types=SCAN_TYPES,
        max_bytes=DOCUMENT_MAX_BYTES,
        type_message=_("Send the document as a PDF, JPEG or PNG file."),
        size_message=_("The file is larger than 10 MB. Send a smaller scan or photo."),
    )


@transaction.atomic
def organization_document_add(
    *, organization: Organization, actor: User, kind: str, file: UploadedFile
) -> OrganizationDocument:
    """Keep a legal document in private storage. Refuses files that are not PDF/JPEG/PNG by
    content, or larger than 10 MB."""
    if kind not in OrganizationDocument.Kind.values:
        raise InvalidInput(fields={"kind": [_("Choose which document this is.")]})
    if organization.verification_status == Status.PENDING:
        raise Conflict(
            _("The documents are being checked. Wait for the result before adding more."),
            code="verification_pending",
        )
    extension = _check_document(file)
    original_name = (getattr(file, "name", "") or f"document{extension}")[-255:]
    document = OrganizationDocument(
        organization=organization, kind=kind, original_name=original_name, uploaded_by=actor
    )
    document.file.save(f"{kind}{extension}", file, save=False)
    document.save()
    _event(
        organization,
        kind=OrganizationEvent.Kind.DOCUMENT_ADDED,
        actor=actor,
        note=document.get_kind_display(),
    )
    return document


def _verification_move(
    organization: Organization, *, actor: User, allowed_from: set[str], to: str, note: str = ""
) -> Organization:
    organization = _locked(organization)
    if organization.verification_status not in allowed_from:
        raise Conflict(
            _("This organisation is %(status)s; that step is not possible now.")
            % {"status": organization.get_verification_status_display().lower()},
            code="illegal_transition",
        )
    previous = organization.verification_status
    organization.verification_status = to
    organization.verification_note = note
    organization.verified_at = timezone.now() if to == Status.VERIFIED else None
    organization.save(
        update_fields=["verification_status", "verification_note", "verified_at", "updated_at"]
    )
    event = _event(
        organization,
        kind=OrganizationEvent.Kind.VERIFICATION,
        actor=actor,
        from_status=previous,
        to_status=to,
        note=note,
    )
    from accounts.tasks import send_verification_result

    dispatch_on_commit(send_verification_result, event.pk)
    return organization


@transaction.atomic
def organization_request_verification(*, organization: Organization, actor: User) -> Organization:
    """Ask platform staff to verify: unverified or rejected → pending. Needs the NIB or the
    decree on file (a Posyantek: its SK Camat)."""
    kinds = set(organization.documents.values_list("kind", flat=True))
    required = REQUIRED_DOCUMENTS.get(organization.kind, [])
    missing = [kind for kind in required if kind not in kinds]
    if not kinds or missing:
        labels = ", ".join(str(OrganizationDocument.Kind(kind).label) for kind in missing)
        raise Conflict(
            _("Upload your documents first%(missing)s.")
            % {"missing": f" ({labels})" if labels else ""},
            code="documents_missing",
        )
    return _verification_move(
        organization,
        actor=actor,
        allowed_from={Status.UNVERIFIED, Status.REJECTED},
        to=Status.PENDING,
    )


@transaction.atomic
def organization_verify(*, organization: Organization, actor: User) -> Organization:
    """Platform staff confirm the documents: pending → verified."""
    return _verification_move(
        organization, actor=actor, allowed_from={Status.PENDING}, to=Status.VERIFIED
    )


@transaction.atomic
def organization_reject(*, organization: Organization, actor: User, reason: str) -> Organization:
    """Platform staff refuse, saying why: pending → rejected. The owner may fix and ask again."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(fields={"reason": [_("Say why, so the organisation can fix it.")]})
    return _verification_move(
        organization, actor=actor, allowed_from={Status.PENDING}, to=Status.REJECTED, note=reason
    )


# --- Members and invitations ------------------------------------------------------------------


def _owners_left(organization: Organization, *, without: Membership) -> int:
    return (
        Membership.objects.filter(organization=organization, role=Role.OWNER)
        .exclude(pk=without.pk)
        .count()
    )


@transaction.atomic
def invitation_create(
    *, organization: Organization, actor: User, email: str, role: str
) -> Invitation:
    """Invite someone by e-mail; they accept with the link. One waiting invitation per address."""
    email = User.objects.normalize_email(email)
    try:
        from django.core.validators import validate_email

        validate_email(email)
    except ValidationError:
        raise InvalidInput(fields={"email": [_("Enter a valid e-mail address.")]}) from None
    if role not in Role.values:
        raise InvalidInput(fields={"role": [_("Choose owner, manager or staff.")]})
    if len(email) > User._meta.get_field("email").max_length:
        raise InvalidInput(fields={"email": [_("Enter a valid e-mail address.")]})
    if Membership.objects.filter(organization=organization, user__email=email).exists():
        raise Conflict(_("This person is already a member."), code="already_member")
    _locked(organization)
    now = timezone.now()
    # An expired invitation no longer blocks a new one to the same address.
    Invitation.objects.filter(
        organization=organization, status=Invitation.Status.PENDING, expires_at__lte=now
    ).update(status=Invitation.Status.EXPIRED, updated_at=now)
    sent_today = Invitation.objects.filter(
        organization=organization, created_at__gte=now - timedelta(days=1)
    ).count()
    if sent_today >= settings.INVITATIONS_PER_DAY:
        raise TooManyRequests(
            _("This organisation has sent %(count)d invitations today. Try again tomorrow.")
            % {"count": sent_today},
            code="too_many_invitations",
        )
    if Invitation.objects.filter(
        organization=organization, email=email, status=Invitation.Status.PENDING
    ).exists():
        raise Conflict(
            _("An invitation to this address is already waiting."), code="already_invited"
        )
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    _event(
        organization,
        kind=OrganizationEvent.Kind.MEMBER_INVITED,
        actor=actor,
        to_status=role,
        note=email,
    )
    from accounts.tasks import send_invitation

    dispatch_on_commit(send_invitation, invitation.pk)
    return invitation


def invitation_get(*, token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token=token or "")
        .first()
    )
    if invitation is None:
        raise NotFound(_("This invitation does not exist."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation. The invitation must be waiting, not expired, and addressed to the
    user's own (verified) e-mail address."""
    invitation = invitation_get(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise Conflict(_("This invitation was already used or withdrawn."), code="invitation_used")
    if invitation.expires_at < timezone.now():
        raise Conflict(
            _("This invitation has expired. Ask the owner to invite you again."),
            code="invitation_expired",
        )
    if invitation.email != user.email:
        raise PermissionDenied(
            _("This invitation is for %(email)s. Log in with that address.")
            % {"email": invitation.email},
            code="wrong_account",
        )
    if not user.is_email_verified:
        raise PermissionDenied(
            _("Confirm your e-mail address first: open the link we sent you."),
            code="email_not_verified",
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at", "updated_at"])
    if created:
        _event(
            invitation.organization,
            kind=OrganizationEvent.Kind.MEMBER_JOINED,
            actor=user,
            to_status=membership.role,
            note=user.email,
        )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise Conflict(_("This invitation was already used or withdrawn."), code="invitation_used")
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status", "updated_at"])
    _event(
        invitation.organization,
        kind=OrganizationEvent.Kind.INVITATION_REVOKED,
        actor=actor,
        from_status=invitation.role,
        note=invitation.email,
    )
    return invitation


def _locked_membership(membership: Membership) -> Membership:
    """The row, locked; gone meanwhile (a double click, another owner) is a clear 404."""
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organization")
        .filter(pk=membership.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("This person is no longer a member."), code="not_member")
    return locked


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    """Change a member's role. The last owner cannot step down (409)."""
    if role not in Role.values:
        raise InvalidInput(fields={"role": [_("Choose owner, manager or staff.")]})
    _locked(membership.organization)  # serialise owner changes per organisation
    membership = _locked_membership(membership)
    if membership.role == role:
        return membership
    if (
        membership.role == Role.OWNER
        and _owners_left(membership.organization, without=membership) == 0
    ):
        raise Conflict(
            _("An organisation needs at least one owner. Make someone else owner first."),
            code="last_owner",
        )
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    _event(
        membership.organization,
        kind=OrganizationEvent.Kind.MEMBER_ROLE_CHANGED,
        actor=actor,
        from_status=previous,
        to_status=role,
        note=membership.user.email,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a member. The last owner cannot be removed (409)."""
    _locked(membership.organization)
    membership = _locked_membership(membership)
    if (
        membership.role == Role.OWNER
        and _owners_left(membership.organization, without=membership) == 0
    ):
        raise Conflict(
            _("An organisation needs at least one owner. Make someone else owner first."),
            code="last_owner",
        )
    _event(
        membership.organization,
        kind=OrganizationEvent.Kind.MEMBER_REMOVED,
        actor=actor,
        from_status=membership.role,
        note=membership.user.email,
    )
    membership.delete()
