from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.phone import normalize_phone
from core.models import BaseModel
from core.storages import private_storage


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str) -> "User":
        # Log in with any capitalisation of the address.
        return self.get(email__iexact=username)

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with an e-mail address, unique whatever its capitalisation."""

    # Stored lower-case (see normalize_email); the Lower() constraint also guards raw writes.
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(
        _("phone / WhatsApp"),
        max_length=20,
        blank=True,
        help_text=_("Stored as 62…, e.g. 6281234567890."),
    )
    is_staff = models.BooleanField(
        _("platform staff"),
        default=False,
        help_text=_("Platform staff can log into the admin and the staff desks."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("An account with this e-mail address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = UserManager.normalize_email(self.email)
        if self.phone:
            try:
                self.phone = normalize_phone(self.phone)
            except ValidationError as error:
                raise ValidationError({"phone": error.messages}) from None

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


# --- Organisations ---------------------------------------------------------------------------


def organization_document_path(instance: "OrganizationDocument", filename: str) -> str:
    # The private storage replaces the file name with a random one; keep the extension.
    return f"organizations/{instance.organization_id}/documents/{filename}"


class Organization(BaseModel):
    """A Posyantek, a company, a university, a government office (dinas), an NGO or a UKM."""

    class Kind(models.TextChoices):
        POSYANTEK = "posyantek", _("Posyantek")
        INDUSTRY = "industry", _("Industry")
        UNIVERSITY = "university", _("University")
        GOVERNMENT = "government", _("Government (dinas)")
        NGO = "ngo", _("NGO")
        UKM = "ukm", _("UKM / small business")

    class PosyantekLevel(models.TextChoices):
        KECAMATAN = "kecamatan", _("Posyantek antardesa (kecamatan)")
        DESA = "desa", _("Posyantekdes (village)")

    class VerificationStatus(models.TextChoices):
        UNVERIFIED = "unverified", _("Not yet verified")
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("Short and permanent, used in invoice numbers, e.g. PWK."),
    )
    description = models.TextField(_("description"), blank=True)
    district = models.ForeignKey(
        "regions.District",
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("kecamatan"),
    )
    village = models.ForeignKey(
        "regions.Village",
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("village / kelurahan"),
        null=True,
        blank=True,
    )
    address = models.TextField(_("address"), blank=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=20, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    nib = models.CharField(
        _("NIB"), max_length=13, blank=True, help_text=_("Nomor Induk Berusaha, 13 digits.")
    )
    npwp = models.CharField(
        _("NPWP"), max_length=16, blank=True, help_text=_("Tax number, 15 or 16 digits.")
    )
    posyantek_level = models.CharField(
        _("Posyantek level"), max_length=10, choices=PosyantekLevel.choices, blank=True
    )
    decree_number = models.CharField(
        _("decree (SK) number"),
        max_length=120,
        blank=True,
        help_text=_("The SK that established the Posyantek."),
    )
    is_pkp = models.BooleanField(
        _("PKP (charges PPN)"),
        default=False,
        help_text=_("Pengusaha Kena Pajak: PPN is added to this seller's orders."),
    )
    payout_bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    payout_account_number = models.CharField(_("account number"), max_length=34, blank=True)
    payout_account_holder = models.CharField(_("account holder"), max_length=150, blank=True)
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=5,
        blank=True,
        help_text=_("For a government organisation: the province or regency code it oversees."),
    )
    verification_status = models.CharField(
        _("verification"),
        max_length=12,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
        db_index=True,
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="posyantek") | models.Q(posyantek_level=""),
                name="accounts_org_level_only_for_posyantek",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="government") | models.Q(jurisdiction=""),
                name="accounts_org_jurisdiction_only_for_government",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verification_status == self.VerificationStatus.VERIFIED


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")


# Higher outranks lower: an owner may do whatever a manager may.
ROLE_RANK = {Role.STAFF: 1, Role.MANAGER: 2, Role.OWNER: 3}


class Membership(BaseModel):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="accounts_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class Invitation(BaseModel):
    """An owner asks someone, by e-mail, to join the organisation with a role."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(status="pending"),
                name="accounts_invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization} ({self.role})"


class OrganizationDocument(BaseModel):
    """A legal document for verification, kept in private storage."""

    class Kind(models.TextChoices):
        NIB = "nib", _("NIB (business identification number)")
        SK_CAMAT = "sk_camat", _("SK Camat (Posyantek decree)")
        NPWP = "npwp", _("NPWP (tax number)")
        DEED = "deed", _("Deed of establishment")
        OTHER = "other", _("Other document")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(
        _("file"), upload_to=organization_document_path, storage=private_storage, max_length=255
    )
    original_name = models.CharField(_("original file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.organization}"


class OrganizationEvent(BaseModel):
    """What happened to an organisation, by whom: verification steps, members, jurisdiction."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        VERIFICATION = "verification", _("Verification")
        MEMBER_INVITED = "member_invited", _("Member invited")
        MEMBER_JOINED = "member_joined", _("Member joined")
        MEMBER_ROLE_CHANGED = "member_role_changed", _("Member role changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        JURISDICTION_SET = "jurisdiction_set", _("Jurisdiction set")
        DOCUMENT_ADDED = "document_added", _("Document added")
        PROFILE_CHANGED = "profile_changed", _("Profile changed")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation withdrawn")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("organisation event")
        verbose_name_plural = _("organisation events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_kind_display()}"
