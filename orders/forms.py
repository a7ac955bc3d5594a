"""The checkout page's form.

It only shapes input for orders.services.checkout.checkout_place, which does the real checks
(quantities, stock, capacity, shipping to the destination, who may buy for an organisation);
`apply_service_errors` puts the service's messages back on the form's fields.

One shipping choice per Posyantek in the cart, named `shipping_<seller slug>`, offered for the
destination chosen so far (the region picker's deepest level): pickup is always shown when the
Posyantek offers it; its own delivery and the courier appear once the regency or province is
known.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.errors import ApplicationError
from core.forms import apply_service_errors as core_apply_service_errors
from core.money import format_rupiah
from orders.models import Dispute, PaymentMethod
from orders.payments import methods_available
from regions.codes import Level
from regions.forms import RegionField

SHIPPING_PREFIX = "shipping_"


@dataclass
class SellerShipping:
    """The shipping choices of one Posyantek in the cart, for the destination chosen so far."""

    seller: Organization
    options: list = field(default_factory=list)  # orders.services.shipping.ShippingOption

    @property
    def field_name(self) -> str:
        return f"{SHIPPING_PREFIX}{self.seller.slug}"


# How checkout names each method (PaymentMethod's own labels are shorter).
PAYMENT_METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER.value: _("Bank transfer"),
    PaymentMethod.CARD.value: _("Card (Stripe)"),
}


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class CheckoutForm(forms.Form):
    contact_name = forms.CharField(
        label=_("Recipient"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("WhatsApp / phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("For example 0812 3456 7890. The Posyantek contacts you on this number."),
    )
    contact_email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    village = RegionField(
        level=Level.VILLAGE,
        label=_("Delivery address: place"),
        help_text=_("Down to the village or kelurahan."),
    )
    address_line = forms.CharField(
        label=_("Street, number, RT/RW"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    postal_code = forms.RegexField(
        label=_("Postal code"),
        required=False,
        regex=r"^\d{5}$",
        max_length=5,
        error_messages={"invalid": _("Write the 5 digits of the postal code, or leave it empty.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    note = forms.CharField(
        label=_("Note for the Posyantek"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    buyer_organization = forms.ChoiceField(
        label=_("Buying for"),
        required=False,
        widget=forms.RadioSelect,
    )
    # The methods offered now are set in __init__ (orders.payments.methods_available): bank
    # transfer always, the card only when Stripe is configured. Bank transfer stays the default.
    payment_method = forms.ChoiceField(
        label=_("Payment"),
        choices=[(PaymentMethod.BANK_TRANSFER.value, PaymentMethod.BANK_TRANSFER.label)],
        initial=PaymentMethod.BANK_TRANSFER.value,
        widget=forms.RadioSelect,
    )
    # What the buyer saw: only these cart items are bought.
    product_ids = forms.CharField(widget=forms.HiddenInput)
    # Made when the form is first shown: a double submit returns the first checkout.
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        shipping: list[SellerShipping],
        organizations: list[Organization],
        methods: list[str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.shipping = shipping
        if methods is None:
            methods = methods_available()
        method_choices = [
            (method, PAYMENT_METHOD_LABELS.get(method, PaymentMethod(method).label))
            for method in PaymentMethod.values
            if method in methods
        ]
        # Nothing available: bank transfer stays listed so the service's message shows on it.
        self.fields["payment_method"].choices = method_choices or [
            (PaymentMethod.BANK_TRANSFER.value, PaymentMethod.BANK_TRANSFER.label)
        ]
        self.fields["buyer_organization"].choices = [
            ("", _("Myself")),
            *((organization.slug, organization.name) for organization in organizations),
        ]
        if not organizations:
            self.fields["buyer_organization"].widget = forms.HiddenInput()
        for group in shipping:
            choices = [
                (option.method, f"{option.label} — {format_rupiah(option.fee_amount)}")
                for option in group.options
            ]
            self.fields[group.field_name] = forms.ChoiceField(
                label=_("Shipping from %(seller)s") % {"seller": group.seller.name},
                choices=choices,
                widget=forms.RadioSelect,
                initial=choices[0][0] if len(choices) == 1 else None,
                error_messages={
                    "required": _("Choose how %(seller)s sends your order.")
                    % {"seller": group.seller.name}
                },
            )

    @property
    def offers_card(self) -> bool:
        """Whether the card is among the methods offered (the page words its help for it)."""
        return any(
            value == PaymentMethod.CARD for value, _label in self.fields["payment_method"].choices
        )

    def shipping_fields(self):
        return [self[group.field_name] for group in self.shipping]

    def clean_product_ids(self) -> list[int]:
        value = self.cleaned_data["product_ids"]
        try:
            return [int(part) for part in value.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Reload the page and try again.")) from None

    def service_data(self) -> dict[str, Any]:
        """The `data` argument of checkout_place."""
        data = self.cleaned_data
        return {
            "contact_name": data["contact_name"],
            "contact_phone": data["contact_phone"],
            "contact_email": data["contact_email"],
            "address_line": data["address_line"],
            "village": data["village"].code,
            "postal_code": data["postal_code"] or "",
            "note": data["note"],
            "payment_method": data["payment_method"],
            "shipping": {group.seller.slug: data[group.field_name] for group in self.shipping},
            "buyer_organization": data["buyer_organization"] or None,
            "product_ids": data["product_ids"],
        }

    def apply_service_errors(self, error: ApplicationError) -> None:
        """The service's messages on the fields: its region fields on the place picker, its
        per-seller shipping messages on that seller's choice."""
        aliases = {"district": "village", "regency": "village", "province": "village"}
        for group in self.shipping:
            for key in (group.seller.slug, f"shipping.{group.seller.slug}", group.field_name):
                aliases[key] = group.field_name
        if len(self.shipping) == 1:
            aliases["shipping"] = aliases["shipping_method"] = self.shipping[0].field_name
        fields = {}
        for name, messages in error.fields.items():
            if isinstance(messages, dict):  # {"shipping": {slug: [...]}}
                for slug, inner in messages.items():
                    fields[slug] = inner if isinstance(inner, list | tuple) else [inner]
            else:
                fields[name] = messages if isinstance(messages, list | tuple) else [messages]
        placed = ApplicationError(error.message, error.code, fields=fields)
        core_apply_service_errors(self, placed, aliases=aliases)


# --- Order lifecycle pages --------------------------------------------------------------------
# Each form only shapes input for one service of orders.services (lifecycle, disputes, refunds),
# which does the real checks; `core.forms.apply_service_errors` puts its messages back.

MAX_NOTE_LENGTH = 1000  # orders.services.order_moves.MAX_NOTE_LENGTH
MAX_PROBLEM_PHOTOS = 5  # orders.services.disputes.MAX_PHOTOS


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The buyer sees this reason."),
    )


class ShipForm(forms.Form):
    carrier = forms.CharField(
        label=_("Courier"),
        required=False,
        max_length=60,
        help_text=_("For example JNE, J&T or Pos Indonesia."),
    )
    tracking_number = forms.CharField(
        label=_("Tracking number (resi)"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    note = forms.CharField(
        label=_("Note for the buyer"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input; the service checks each one's content."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PROBLEM_PHOTOS:
            raise forms.ValidationError(
                _("Attach at most %(n)s photos.") % {"n": MAX_PROBLEM_PHOTOS}
            )
        return [super(MultipleImageField, self).clean(file, initial) for file in files]


class ProblemReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is the problem?"), choices=())
    description = forms.CharField(
        label=_("What happened?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Write what you received and what is wrong with it."),
    )
    photos = MultipleImageField(
        label=_("Photos (at most 5)"),
        required=False,
        help_text=_("Photos of the goods and the package help the Mitra TTG team decide."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("Choose…")), *Dispute.Reason.choices]
        self.fields["photos"].widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})


class DisputeAnswerForm(forms.Form):
    response = forms.CharField(
        label=_("Your answer to the buyer"),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The buyer and the Mitra TTG team read it."),
    )


class DisputeResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=(), widget=forms.RadioSelect)
    amount = forms.IntegerField(
        label=_("Refund amount (Rp, whole Rupiah)"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
    )
    note = forms.CharField(
        label=_("Note for both sides"),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, max_amount: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = Dispute.Outcome.choices
        amount = self.fields["amount"]
        amount.max_value = max_amount
        amount.validators.append(MaxValueValidator(max_amount))
        amount.widget.attrs["max"] = max_amount
        amount.help_text = _(
            "Only for a refund. At most %(max)s (what is left of the order's total)."
        ) % {"max": format_rupiah(max_amount)}

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "refund" and not data.get("amount"):
            self.add_error("amount", _("Give the amount to refund, in whole Rupiah."))
        return data


class RefundSucceededForm(forms.Form):
    reference = forms.CharField(
        label=_("Transfer reference"),
        max_length=100,
        help_text=_("The bank's reference of the transfer back to the buyer."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Payment, refund, payout and finance pages -------------------------------------------------
# Each form only shapes input for one service (orders.services.transfers, late_payments,
# refunds, payouts), which does the real checks; `core.forms.apply_service_errors` puts its
# messages back on the fields.

MAX_REFERENCE_LENGTH = 100  # Payment.received_reference, Refund.provider_reference, Payout


def _amount_field(label, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        **kwargs,
    )


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


class TransferProofForm(forms.Form):
    """The buyer's proof of a bank transfer; the service checks the file's content and size."""

    file = forms.FileField(
        label=_("Photo or PDF of the transfer receipt"),
        error_messages={"required": _("Choose the photo or PDF of your transfer receipt.")},
    )
    sender_bank = forms.CharField(
        label=_("Sent from bank"),
        required=False,
        max_length=100,
        help_text=_("For example BRI, BNI, Mandiri or BCA."),
    )
    sender_name = forms.CharField(
        label=_("Sender's account holder"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp,application/pdf"})
        field.help_text = _("JPEG, PNG, WebP or PDF, at most %(mb)s MB.") % {"mb": max_mb}


class RefundAccountForm(forms.Form):
    """Where a bank transfer refund goes: the buyer's own account."""

    bank_name = forms.CharField(
        label=_("Bank"), max_length=100, help_text=_("For example BRI, BNI, Mandiri or BCA.")
    )
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=34,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Digits only; spaces and dashes are fine."),
    )
    account_holder = forms.CharField(
        label=_("Account holder"),
        max_length=150,
        help_text=_("The name on the account, as the bank writes it."),
    )


class TransferConfirmForm(forms.Form):
    """Staff saw the money arrive: what, with which reference, on which day."""

    amount = _amount_field(
        _("Amount received (Rp, whole Rupiah)"),
        help_text=_("As on the bank statement. A different amount puts the payment under review."),
    )
    reference = forms.CharField(
        label=_("Bank reference"),
        max_length=MAX_REFERENCE_LENGTH,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    received_on = _date_field(_("Date received"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TransferRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is rejected"),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The buyer reads this and may upload a new proof. Say what is wrong."),
    )


class PaymentReviewForm(forms.Form):
    DECISIONS = [
        ("honour", _("Honour: the orders become paid")),
        ("refund", _("Refund everything received")),
    ]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RefundFailForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the transfer failed"),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: the account is closed. The buyer is told."),
    )


class PayoutForm(forms.Form):
    amount = _amount_field(_("Amount sent (Rp, whole Rupiah)"))
    reference = forms.CharField(
        label=_("Bank reference"),
        max_length=MAX_REFERENCE_LENGTH,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    paid_on = _date_field(_("Transfer date"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, available: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if available is not None:
            self.fields["amount"].help_text = _("At most %(amount)s (the available balance).") % {
                "amount": format_rupiah(available)
            }
