"""Stripe's webhook: `POST payments/stripe/webhook/` (DESIGN.md, orders: WebhookEvent).

Called by Stripe, not by a person: no login, no CSRF token, no throttle — the signature is the
authentication. The raw body is verified against `Stripe-Signature` with the webhook secret
(orders.payments.stripe.StripeProvider.parse_notification): a missing header, a wrong
signature or secret, a tampered body or a timestamp older than the tolerance is a 400 and
changes nothing. A verified event is stored once (orders.services.webhooks.webhook_event_store)
and processed after the commit by a task; a duplicate gets 200 `{"received": true,
"duplicate": true}` so Stripe stops sending it. A plain Django view (not DRF): it must read
the exact bytes Stripe signed, and it never answers 500 to bad input.
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.models import Provider
from orders.payments import provider_get
from orders.payments.base import InvalidNotification
from orders.services.webhooks import webhook_event_store

MAX_BODY_BYTES = 1024 * 1024  # Stripe events are a few kilobytes


@csrf_exempt
@require_POST
def stripe_webhook_view(request: HttpRequest) -> JsonResponse:
    try:
        size = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        size = 0
    provider = provider_get(Provider.STRIPE)
    try:
        if size > MAX_BODY_BYTES:
            raise InvalidNotification()
        event = provider.parse_notification(body=request.body, headers=request.headers)
    except InvalidNotification as error:
        return JsonResponse(
            {"error": {"code": error.code, "message": str(error.message)}}, status=400
        )
    _stored, created = webhook_event_store(event=event)
    return JsonResponse({"received": True, "duplicate": not created})
