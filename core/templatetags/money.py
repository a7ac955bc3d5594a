from django import template

from core.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    """`{{ product.price_amount|rupiah }}` → "Rp 1.500.000"; empty for no or bad values."""
    if amount is None or amount == "" or isinstance(amount, bool):
        return ""
    try:
        return format_rupiah(int(amount))
    except (TypeError, ValueError):
        return ""
