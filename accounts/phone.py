"""Indonesian phone and WhatsApp numbers, normalised to `62…` (E.164 without the plus), the form
that https://wa.me/ links and SMS gateways take. Parsing and validation by `phonenumbers`."""

from urllib.parse import quote

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalize_phone(raw: str) -> str:
    """`0812-3456-7890`, `+62 812 3456 7890`, `62812…` and `812…` all become `6281234567890`.

    Raises ValidationError for anything that is not a valid Indonesian number.
    """
    text = (raw or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+") or digits.startswith("62"):
        candidate = "+" + digits
    elif digits.startswith("8"):
        candidate = "0" + digits
    else:
        candidate = digits
    try:
        number = phonenumbers.parse(candidate, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or number.country_code != 62 or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid Indonesian phone number, for example 0812 3456 7890."),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def whatsapp_link(number: str, text: str = "") -> str:
    """https://wa.me/62…?text=… for a number already normalised to 62…; empty without one."""
    if not number:
        return ""
    if not text:
        return f"https://wa.me/{number}"
    return f"https://wa.me/{number}?text={quote(text, safe='')}"
