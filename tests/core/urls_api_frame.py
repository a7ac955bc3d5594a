"""Views that exist only to exercise the API frame (errors, auth, pagination) in tests."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import include, path
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.errors import Conflict


class LineSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1)


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    lines = LineSerializer(many=True, required=False)


class EchoView(APIView):
    """Default permission (authenticated); validates and echoes."""

    def post(self, request):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class ConflictView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        raise Conflict("Pesanan ini sudah dikirim.", code="illegal_transition")


class DjangoErrorsView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        if request.query_params.get("kind") == "404":
            raise Http404
        raise DjangoValidationError({"phone": ["Nomor tidak valid."]})


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email"]


class PublicUserList(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = UserSerializer
    queryset = User.objects.order_by("id")
    ordering_fields = ["id", "email"]


urlpatterns = [
    path("api/v1/test/echo/", EchoView.as_view()),
    path("api/v1/test/conflict/", ConflictView.as_view()),
    path("api/v1/test/django-errors/", DjangoErrorsView.as_view()),
    path("api/v1/test/users/", PublicUserList.as_view()),
    path("", include("config.urls")),
]
