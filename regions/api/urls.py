from django.urls import path

from regions.api import views

urlpatterns = [
    path("regions/provinces/", views.ProvinceListView.as_view(), name="region-provinces"),
    path("regions/regencies/", views.RegencyListView.as_view(), name="region-regencies"),
    path("regions/districts/", views.DistrictListView.as_view(), name="region-districts"),
    path("regions/villages/", views.VillageListView.as_view(), name="region-villages"),
]
