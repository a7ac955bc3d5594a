"""Payment providers (DESIGN.md, orders: Payment): one adapter per provider behind
orders.payments.base.PaymentProvider, configured in settings.PAYMENT_PROVIDERS
({provider name: dotted class path}).

Adding a provider (Stripe in issue 10, Midtrans/Xendit later) is a module here implementing
PaymentProvider plus its line in PAYMENT_PROVIDERS; orders' services reach providers only
through these three functions, and apply what a provider reports only through
orders.services.payments.payment_apply_event. Its `is_available()` decides whether checkout
and the payment page offer its method (e.g. Stripe is hidden without keys).
"""

import functools

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.errors import NotFound
from orders.models import PaymentMethod
from orders.payments.base import PaymentProvider


@functools.cache
def _load(name: str, dotted: str) -> PaymentProvider:
    return import_string(dotted)()


def provider_get(name: str) -> PaymentProvider:
    """The adapter configured for a Provider value; NotFound when none is."""
    dotted = settings.PAYMENT_PROVIDERS.get(name) if isinstance(name, str) else None
    if not dotted:
        raise NotFound(_("This payment provider is not configured."), code="provider_unknown")
    return _load(name, dotted)


def provider_for_method(method: str) -> PaymentProvider:
    """The adapter that serves a PaymentMethod; NotFound when none is configured."""
    for name in settings.PAYMENT_PROVIDERS:
        provider = provider_get(name)
        if provider.method == method:
            return provider
    raise NotFound(_("This payment method is not available."), code="method_unknown")


def methods_available() -> list[str]:
    """PaymentMethod values buyers may choose now, in PaymentMethod's order."""
    available = []
    for method in PaymentMethod.values:
        try:
            provider = provider_for_method(method)
        except NotFound:
            continue
        if provider.is_available():
            available.append(method)
    return available
