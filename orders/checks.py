"""Deploy checks of the orders app (`manage.py check --deploy`)."""

from django.core.checks import Warning, register


@register("orders", deploy=True)
def payment_methods_configured(app_configs, **kwargs):
    """A site nobody can pay on is a misconfiguration: bank transfer needs the platform's
    collection account (PLATFORM_BANK_*), and no other provider is configured."""
    from orders.payments import methods_available

    if methods_available():
        return []
    return [
        Warning(
            "No payment method is available: checkout refuses every order.",
            hint=(
                "Set PLATFORM_BANK_NAME, PLATFORM_BANK_ACCOUNT_NUMBER and "
                "PLATFORM_BANK_ACCOUNT_HOLDER (the platform's collection account)."
            ),
            id="orders.W001",
        )
    ]
