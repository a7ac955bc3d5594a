"""Who may call which payments and money endpoint (DESIGN.md "who may do what", orders rows):
every endpoint × {anonymous, buyer, other buyer, seller owner, seller manager, seller staff
member, stranger, platform staff, dinas}. Allowed callers get their answer; refused ones get
401 (anonymous), 404 (a payment, refund or invoice they may not see: no hint it exists), 403
(they may see it but not do this, or an organisation's finances that are not theirs) or 400
(a list across every organisation without naming one) — and nothing changes."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from accounts.models import Organization, Role
from orders.models import (
    Invoice,
    LedgerEntry,
    Order,
    Payment,
    PaymentAttempt,
    PaymentEvent,
    Payout,
    Refund,
    RefundEvent,
    TransferProof,
)
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.orders.test_money_api import completed, open_refund, with_payout_account
from tests.orders.test_payments_api import awaiting, client_for, png, under_review

pytestmark = pytest.mark.django_db

WHO = [
    "anonymous",
    "buyer",
    "other_buyer",
    "owner",
    "manager",
    "member",
    "stranger",
    "platform",
    "dinas",
]


@pytest.fixture
def people(shop) -> dict:
    """The roles by name. The other buyer has a payment of its own; the dinas oversees Kota
    Cilegon (36.72), where the Posyantek is."""
    dinas = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction="36.72")
    other_buyer = UserFactory()
    shop.place(1, buyer=other_buyer)
    return {
        "anonymous": None,
        "buyer": shop.buyer,
        "other_buyer": other_buyer,
        "owner": shop.owner,
        "manager": shop.manager,
        "member": shop.staff,
        "stranger": shop.stranger,
        "platform": shop.platform,
        "dinas": MembershipFactory(organization=dinas, role=Role.STAFF).user,
    }


def everything() -> dict:
    """Every row a payments or money call could change."""
    return {
        "payments": list(
            Payment.objects.order_by("pk").values_list(
                "pk", "status", "method", "received_amount", "expires_at", "paid_at"
            )
        ),
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status", "expires_at")),
        "attempts": list(PaymentAttempt.objects.order_by("pk").values_list("pk", "status")),
        "proofs": list(TransferProof.objects.order_by("pk").values_list("pk", "status")),
        "payment_events": PaymentEvent.objects.count(),
        "refunds": list(
            Refund.objects.order_by("pk").values_list(
                "pk", "status", "account_number", "provider_reference"
            )
        ),
        "refund_events": RefundEvent.objects.count(),
        "ledger": list(LedgerEntry.objects.order_by("pk").values_list("pk", "status", "amount")),
        "payouts": Payout.objects.count(),
        "invoices": Invoice.objects.count(),
    }


@dataclass
class Call:
    method: str
    path: str
    body: dict | None = None
    format: str = "json"
    # Whose rows a list must show (and nobody else's); None when not a scoped list.
    shows: object = None


@dataclass
class Endpoint:
    make: Callable  # (shop) -> Call
    allowed: dict[str, int]  # who → success status
    refused: dict[str, int] = field(default_factory=dict)  # who → refusal status (else 404)


def _pending(shop) -> Payment:
    return shop.place().payment


def _payment_call(action: str, method: str = "POST", body=None, fmt="json", make=_pending):
    def build(shop) -> Call:
        payment = make(shop)
        suffix = f"{action}/" if action else ""
        return Call(method, f"/api/v1/payments/{payment.pk}/{suffix}", body, fmt)

    return build


def _confirm(shop) -> Call:
    payment = awaiting(shop)
    body = {
        "amount": payment.amount_due_amount,
        "reference": "BCA-OK-1",
        "received_on": timezone.localdate().isoformat(),
    }
    return Call("POST", f"/api/v1/payments/{payment.pk}/confirm/", body)


def _proof(shop) -> Call:
    payment = _pending(shop)
    return Call(
        "POST",
        f"/api/v1/payments/{payment.pk}/transfer-proof/",
        {"file": png(), "sender_bank": "BRI"},
        "multipart",
    )


def _payment_list(shop) -> Call:
    payment = _pending(shop)
    return Call("GET", "/api/v1/payments/", shows=("payment", payment.pk))


def _refund_call(action: str, body=None, account: bool = False, method: str = "POST"):
    def build(shop) -> Call:
        refund = open_refund(shop, account=account)
        suffix = f"{action}/" if action else ""
        return Call(method, f"/api/v1/refunds/{refund.pk}/{suffix}", body)

    return build


def _refund_list(shop) -> Call:
    refund = open_refund(shop)
    return Call("GET", "/api/v1/refunds/", shows=("refund", refund.pk))


def _organization_list(path: str):
    def build(shop) -> Call:
        open_refund(shop)
        return Call("GET", f"/api/v1/{path}/?organization={shop.seller.slug}")

    return build


def _all_list(path: str):
    def build(shop) -> Call:
        shop.paid()
        return Call("GET", f"/api/v1/{path}/")

    return build


def _payout_create(shop) -> Call:
    with_payout_account(shop.seller)
    completed(shop)
    body = {
        "organization": shop.seller.slug,
        "amount": 50_000,
        "reference": "BRI-PAYOUT-9",
        "paid_on": timezone.localdate().isoformat(),
    }
    return Call("POST", "/api/v1/payouts/", body)


def _invoice(suffix: str):
    def build(shop) -> Call:
        invoice = Invoice.objects.get(order=shop.paid(), kind="invoice")
        return Call("GET", f"/api/v1/invoices/{invoice.url_number}/{suffix}")

    return build


BUYER_OR_STAFF = {"buyer": 200, "platform": 200}
SEES_PAYMENT = {"buyer": 403, "platform": 403}  # may see it, may not do this
STAFF_ONLY_ON_PAYMENT = {"buyer": 403}
FINANCES = {"owner": 200, "manager": 200, "platform": 200}
NOT_FINANCES = dict.fromkeys(("buyer", "other_buyer", "member", "stranger", "dinas"), 403)
ALL_OTHERS_400 = {who: 400 for who in WHO if who not in ("anonymous", "platform")}
EVERYONE_200 = {who: 200 for who in WHO if who != "anonymous"}

ENDPOINTS: dict[str, Endpoint] = {
    "payment detail": Endpoint(_payment_call("", "GET"), BUYER_OR_STAFF),
    "payment attempts": Endpoint(_payment_call("attempts", "GET"), BUYER_OR_STAFF),
    "payment attempt start": Endpoint(
        _payment_call("attempts", body={"method": "bank_transfer"}),
        {"buyer": 201},
        {"platform": 403},
    ),
    "transfer proof": Endpoint(_proof, {"buyer": 201}, {"platform": 403}),
    "transfer confirm": Endpoint(_confirm, {"platform": 200}, STAFF_ONLY_ON_PAYMENT),
    "transfer reject": Endpoint(
        _payment_call("reject", body={"reason": "Buram."}, make=awaiting),
        {"platform": 200},
        STAFF_ONLY_ON_PAYMENT,
    ),
    "payment review": Endpoint(
        _payment_call("review", body={"decision": "refund"}, make=under_review),
        {"platform": 200},
        STAFF_ONLY_ON_PAYMENT,
    ),
    "payment list": Endpoint(_payment_list, EVERYONE_200),
    "refund list": Endpoint(_refund_list, EVERYONE_200),
    "refund list of a posyantek": Endpoint(_organization_list("refunds"), FINANCES, NOT_FINANCES),
    "refund detail": Endpoint(
        _refund_call("", method="GET"),
        {"buyer": 200, "owner": 200, "manager": 200, "platform": 200},
    ),
    "refund account": Endpoint(
        _refund_call(
            "account",
            {"bank_name": "BRI", "account_number": "0123456789", "account_holder": "Budi"},
        ),
        {"buyer": 200},
        {"owner": 403, "manager": 403, "platform": 403},
    ),
    "refund succeed": Endpoint(
        _refund_call("succeed", {"reference": "BRI-KELUAR-9"}, account=True),
        {"platform": 200},
        {"buyer": 403, "owner": 403, "manager": 403},
    ),
    "refund fail": Endpoint(
        _refund_call("fail", {"reason": "Rekening ditutup."}),
        {"platform": 200},
        {"buyer": 403, "owner": 403, "manager": 403},
    ),
    "ledger of a posyantek": Endpoint(_organization_list("ledger"), FINANCES, NOT_FINANCES),
    "ledger of all": Endpoint(_all_list("ledger"), {"platform": 200}, ALL_OTHERS_400),
    "payouts of a posyantek": Endpoint(_organization_list("payouts"), FINANCES, NOT_FINANCES),
    "payouts of all": Endpoint(_all_list("payouts"), {"platform": 200}, ALL_OTHERS_400),
    "payout record": Endpoint(
        _payout_create,
        {"platform": 201},
        {who: 403 for who in WHO if who not in ("anonymous", "platform")},
    ),
    "invoice": Endpoint(
        _invoice(""),
        {"buyer": 200, "owner": 200, "manager": 200, "member": 200, "platform": 200},
    ),
    "invoice pdf": Endpoint(
        _invoice("pdf/"),
        {"buyer": 200, "owner": 200, "manager": 200, "member": 200, "platform": 200},
    ),
}


def _shown(response, shows) -> bool:
    _kind, pk = shows
    return pk in [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_money_endpoint_answers_each_role(shop, people, name, who):
    endpoint = ENDPOINTS[name]
    call = endpoint.make(shop)
    before = everything()
    client = client_for(people[who])

    if call.method == "GET":
        response = client.get(call.path)
    else:
        response = client.post(call.path, call.body, format=call.format)

    if who == "anonymous":
        expected = 401
    elif who in endpoint.allowed:
        expected = endpoint.allowed[who]
    else:
        expected = endpoint.refused.get(who, 404)
    body = response.content[:300] if response.get("Content-Type") == "application/pdf" else None
    assert response.status_code == expected, body or response.json()
    if call.shows is not None and expected == 200:
        # A scoped list: the row is shown to its buyer and platform staff only.
        assert _shown(response, call.shows) == (who in ("buyer", "platform"))
    if expected >= 400 or call.method == "GET":
        assert everything() == before
    else:
        assert everything() != before
