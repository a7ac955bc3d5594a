from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationDocument,
    OrganizationEvent,
    Role,
)
from accounts.permissions import is_platform_staff
from regions.codes import CODE_EXAMPLES, Level, level_of
from regions.models import District, Village

# --- Output -----------------------------------------------------------------------------------


class PlaceSerializer(serializers.Serializer):
    """Where an organisation is: its kecamatan, regency and province (and village)."""

    district = serializers.CharField(source="district.code")
    district_name = serializers.CharField(source="district.display_name")
    regency = serializers.CharField(source="district.regency.code")
    regency_name = serializers.CharField(source="district.regency.display_name")
    province = serializers.CharField(source="district.regency.province.code")
    province_name = serializers.CharField(source="district.regency.province.display_name")
    village = serializers.CharField(source="village.code", default=None, allow_null=True)
    village_name = serializers.CharField(
        source="village.display_name", default=None, allow_null=True
    )


class OrganizationPublicSerializer(serializers.ModelSerializer):
    place = PlaceSerializer(source="*", read_only=True)
    is_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organization
        fields = [
            "slug",
            "code",
            "kind",
            "name",
            "description",
            "place",
            "address",
            "whatsapp",
            "email",
            "website",
            "posyantek_level",
            "decree_number",
            "is_verified",
            "verification_status",
        ]
        read_only_fields = fields


class OrganizationPrivateSerializer(OrganizationPublicSerializer):
    """What members and platform staff see."""

    my_role = serializers.SerializerMethodField()

    class Meta(OrganizationPublicSerializer.Meta):
        fields = [
            *OrganizationPublicSerializer.Meta.fields,
            "nib",
            "npwp",
            "is_pkp",
            "payout_bank_name",
            "payout_account_number",
            "payout_account_holder",
            "jurisdiction",
            "verification_note",
            "verified_at",
            "created_at",
            "my_role",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices, allow_null=True))
    def get_my_role(self, organization: Organization) -> str | None:
        from accounts.permissions import role_in

        return role_in(self.context["request"].user, organization)


class MemberUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    user = MemberUserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    invited_by = serializers.CharField(source="invited_by.name", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "organization", "email", "role", "status", "invited_by", "expires_at"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = OrganizationDocument
        fields = ["id", "kind", "original_name", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, document: OrganizationDocument) -> str:
        from django.urls import reverse

        return self.context["request"].build_absolute_uri(
            reverse(
                "api:organization-document-file",
                args=[document.organization.slug, document.pk],
            )
        )


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event: OrganizationEvent) -> str | None:
        # As on the pages: members see "Mitra TTG team", not the name of a staff member.
        actor = event.actor
        if actor is None:
            return None
        if actor.is_staff and not is_platform_staff(self.context["request"].user):
            return _("Mitra TTG team")
        return actor.name or actor.email

    class Meta:
        model = OrganizationEvent
        fields = ["id", "kind", "actor", "from_status", "to_status", "note", "created_at"]
        read_only_fields = fields


class VerificationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        source="verification_status", choices=Organization.VerificationStatus.choices
    )
    note = serializers.CharField(source="verification_note")
    verified_at = serializers.DateTimeField(allow_null=True)
    required_documents = serializers.ListField(child=serializers.CharField())
    documents = DocumentSerializer(many=True, allow_null=True)
    events = EventSerializer(many=True)


# --- Input ------------------------------------------------------------------------------------


class RegionCodeInputField(serializers.CharField):
    """A kecamatan or village code that exists; resolved to the model."""

    def __init__(self, *, level: Level, **kwargs):
        self.level = level
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        model = {Level.DISTRICT: District, Level.VILLAGE: Village}[self.level]
        if level_of(code) != self.level:
            raise serializers.ValidationError(
                _("%(value)s is not a %(level)s code; use a code such as %(example)s.")
                % {"value": code, "level": self.level.label, "example": CODE_EXAMPLES[self.level]}
            )
        region = model.objects.filter(code=code, is_retired=False).first()
        if region is None:
            raise serializers.ValidationError(
                _("There is no %(level)s with code %(value)s.")
                % {"level": self.level.label, "value": code}
            )
        return region


class OrganizationWriteSerializer(serializers.Serializer):
    """Fields for creating or changing an organisation. Codes for places."""

    name = serializers.CharField(max_length=200)
    district = RegionCodeInputField(level=Level.DISTRICT, help_text="Kecamatan code, e.g. 36.72.07")
    village = RegionCodeInputField(
        level=Level.VILLAGE, required=False, allow_null=True, help_text="e.g. 36.72.07.1004"
    )
    description = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    whatsapp = serializers.CharField(required=False, allow_blank=True, max_length=30)
    email = serializers.EmailField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    nib = serializers.CharField(required=False, allow_blank=True, max_length=30)
    npwp = serializers.CharField(required=False, allow_blank=True, max_length=30)
    posyantek_level = serializers.ChoiceField(
        choices=Organization.PosyantekLevel.choices, required=False, allow_blank=True
    )
    decree_number = serializers.CharField(required=False, allow_blank=True, max_length=120)
    is_pkp = serializers.BooleanField(required=False)
    payout_bank_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    payout_account_number = serializers.CharField(required=False, allow_blank=True, max_length=34)
    payout_account_holder = serializers.CharField(required=False, allow_blank=True, max_length=150)


class OrganizationCreateSerializer(OrganizationWriteSerializer):
    kind = serializers.ChoiceField(choices=Organization.Kind.choices)
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=8,
        help_text="2–8 capital letters or digits, e.g. PWK. Permanent. Suggested when empty.",
    )


class JurisdictionSerializer(serializers.Serializer):
    jurisdiction = serializers.CharField(
        allow_blank=True, max_length=5, help_text="Province (64) or regency (64.72) code"
    )


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrganizationDocument.Kind.choices)
    file = serializers.FileField(help_text="PDF, JPEG or PNG, at most 10 MB")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
