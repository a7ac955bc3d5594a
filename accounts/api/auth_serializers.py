from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Membership, Organization, User

PASSWORD_MAX_LENGTH = 4096  # far above any real password; keeps hashing cheap

# --- Input ------------------------------------------------------------------------------------


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True
    )
    phone = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text=_("Phone / WhatsApp, e.g. 0812 3456 7890; stored as 62…"),
    )


class VerifyEmailSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1000, help_text=_("The token from the e-mail link."))


class TokenCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True
    )


class ProfileUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True
    )
    new_password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True
    )


# --- Output -----------------------------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text=_('Send it as the header "Authorization: Token <token>".')
    )


class MembershipOrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "code", "kind", "verification_status"]
        read_only_fields = fields


class MyMembershipSerializer(serializers.ModelSerializer):
    organization = MembershipOrganizationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "role"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    email_verified = serializers.BooleanField(source="is_email_verified", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "phone", "email_verified", "date_joined"]
        read_only_fields = fields


class MeSerializer(UserSerializer):
    memberships = MyMembershipSerializer(many=True, read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "memberships"]
        read_only_fields = fields
