from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("akun/", include("accounts.urls")),
    path("organisasi/", include("accounts.organization_urls")),
    path("staf/", include("accounts.staff_urls")),
    path("staf/", include("orders.staff_urls")),
    path("produk/", include("marketplace.urls")),
    path("", include("mitra.urls")),
    path("", include("orders.urls")),
    path("", include("reports.urls")),
    path(getattr(settings, "ADMIN_URL", "admin/"), admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    # Only public files get a URL; private ones go through permission-checked views.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
