"""People API under `auth/`: sign-up, e-mail verification, tokens, "who am I", password.

Registration returns the new user and no token: the client then asks `token/` with the same
e-mail and password (an unverified account may log in; creating an organisation or checking
out needs the verified address). Failed `token/` logins are counted by django-axes, per account
and per client address, like the login page; a locked-out client gets 429 `locked_out`.
"""

from collections.abc import Mapping

from django.contrib.auth import authenticate, update_session_auth_hash, user_logged_in
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.api import auth_serializers as s
from accounts.backends import locked_out_message
from accounts.selectors import organizations_of
from accounts.services import users as services
from core.errors import ApplicationError, InvalidInput


class LockedOut(ApplicationError):
    status_code = 429
    default_code = "locked_out"


class RegisterView(GenericAPIView):
    """Create an account. A confirmation link is e-mailed to the address; until it is opened
    the account can log in but cannot create an organisation."""

    permission_classes = [AllowAny]
    serializer_class = s.RegisterSerializer

    @extend_schema(responses={201: s.UserSerializer})
    def post(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(s.UserSerializer(user).data, status=status.HTTP_201_CREATED)


class VerifyEmailView(GenericAPIView):
    """Confirm the e-mail address with the token from the link (anonymous is fine: the token is
    the proof). Using a token twice is harmless."""

    permission_classes = [AllowAny]
    serializer_class = s.VerifyEmailSerializer

    @extend_schema(responses=s.UserSerializer)
    def post(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_verify_email(token=data.validated_data["token"])
        return Response(s.UserSerializer(user).data)


class VerifyEmailResendView(GenericAPIView):
    """Send the confirmation e-mail again (at most once a minute)."""

    permission_classes = [IsAuthenticated]
    serializer_class = None

    @extend_schema(request=None, responses={202: OpenApiResponse(description="E-mail queued.")})
    def post(self, request):
        services.user_resend_verification(user=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class TokenView(GenericAPIView):
    """POST: e-mail and password → the API token. DELETE: log out (the token stops working).

    Too many failures for one account or from one address lock logins out for an hour (429)."""

    serializer_class = s.TokenCreateSerializer

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(responses=s.TokenSerializer)
    def post(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, so django-axes sees (and its middleware answers) this attempt.
        http_request = request._request
        user = authenticate(
            request=http_request,
            username=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            raise LockedOut(locked_out_message())
        if user is None:
            raise InvalidInput(
                _("The e-mail address or the password is wrong."), code="invalid_credentials"
            )
        token = services.user_token_issue(user=user)
        # A login like the page's: last_login is kept, axes forgets earlier failures.
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        return Response(s.TokenSerializer({"token": token.key}).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.user_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(GenericAPIView):
    """Who am I: the account, whether its e-mail is verified, and its organisations with the
    role in each. PATCH changes the name and the phone/WhatsApp number."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.MeSerializer

    def _me(self, user):
        prefetch_related_objects(
            [user], Prefetch("memberships", queryset=organizations_of(user=user))
        )
        return Response(s.MeSerializer(user).data)

    def get(self, request):
        return self._me(request.user)

    @extend_schema(request=s.ProfileUpdateSerializer, responses=s.MeSerializer)
    def patch(self, request):
        sent = request.data.keys() if isinstance(request.data, Mapping) else ()
        fixed = {"email", "id", "email_verified"} & set(sent)
        if fixed:
            raise InvalidInput(
                fields={field: [_("This cannot be changed here.")] for field in sorted(fixed)}
            )
        data = s.ProfileUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = request.user
        services.user_update_profile(
            user=user,
            name=data.validated_data.get("name", user.name),
            phone=data.validated_data.get("phone", user.phone),
        )
        return self._me(user)


class PasswordView(GenericAPIView):
    """Change the password. Every token of the account is revoked; the answer carries a new one
    for this client."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.PasswordChangeSerializer

    @extend_schema(responses=s.TokenSerializer)
    def post(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        if not user.check_password(data.validated_data["old_password"]):
            raise InvalidInput(
                _("Your current password is wrong."),
                code="wrong_password",
                fields={"old_password": [_("This is not your current password.")]},
            )
        new_password = data.validated_data["new_password"]
        services.password_check(user=user, password=new_password, field="new_password")
        services.user_set_password(user=user, password=new_password)
        if request.auth is None:  # logged in by session (a browser): keep this session
            update_session_auth_hash(request._request, user)
        token = services.user_token_issue(user=user)
        return Response(s.TokenSerializer({"token": token.key}).data)
