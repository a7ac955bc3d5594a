"""Routes of orders.api (see orders/api/urls.py): order moves and disputes, by order number."""

from django.urls import path

from orders.api import lifecycle as views

urlpatterns = [
    path("orders/<str:number>/accept/", views.OrderAcceptView.as_view(), name="order-accept"),
    path("orders/<str:number>/ship/", views.OrderShipView.as_view(), name="order-ship"),
    path("orders/<str:number>/deliver/", views.OrderDeliverView.as_view(), name="order-deliver"),
    path("orders/<str:number>/complete/", views.OrderCompleteView.as_view(), name="order-complete"),
    path("orders/<str:number>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path(
        "orders/<str:number>/report-problem/",
        views.OrderReportProblemView.as_view(),
        name="order-report-problem",
    ),
    path("orders/<str:number>/dispute/", views.DisputeDetailView.as_view(), name="order-dispute"),
    path(
        "orders/<str:number>/dispute/respond/",
        views.DisputeRespondView.as_view(),
        name="order-dispute-respond",
    ),
    path(
        "orders/<str:number>/dispute/resolve/",
        views.DisputeResolveView.as_view(),
        name="order-dispute-resolve",
    ),
]
