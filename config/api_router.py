"""Every app's API under /api/v1/. Each app lists its own routes in `<app>/api/urls.py`."""

from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

app_name = "api"


class ApiRootView(APIView):
    """Links to the schema and the interactive documentation."""

    permission_classes = [AllowAny]
    schema = None

    def get(self, request, format=None):
        return Response(
            {
                "schema": reverse("api-schema", request=request, format=format),
                "docs": reverse("api-docs", request=request, format=format),
            }
        )


urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("", include("regions.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("marketplace.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("mitra.api.urls")),
    path("", include("reports.api.urls")),
]
