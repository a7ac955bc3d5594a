"""A local stand-in for the Stripe API, spoken to by the real `stripe` library in tests.

A threaded `http.server` on 127.0.0.1 answering the few endpoints the adapter uses with
Stripe's wire format: form-encoded requests with nested keys (`metadata[x]`,
`line_items[0][price_data][unit_amount]`, `expand[0]`/`expand[]`), JSON objects shaped like
Stripe's (`id`, `object`, `livemode`, `created`, …), errors as
`{"error": {"type", "code", "message", "param"}}` with Stripe's status codes, `Authorization:
Bearer <key>` required (401 otherwise) and `Idempotency-Key` honoured (same key and body →
the saved response replayed; same key, other body → 400 `idempotency_error`).

Endpoints: POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id}, POST
/v1/checkout/sessions/{id}/expire, GET /v1/payment_intents/{id}, POST /v1/refunds, GET
/v1/refunds/{id}, GET /v1/refunds?payment_intent=…; plus GET/POST /pay/{id}, a page with a
"Pay" button standing in for Stripe's hosted checkout (paying redirects to success_url).

Tests drive the rest through the Python API: complete(), fail(), expire(), refund_settle(),
event(), events_for(), signed(); `requests` records every call. Every state change also
appends the Stripe Event that would be sent to `events`.
"""

import copy
import html
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe
from requests.structures import CaseInsensitiveDict

API_VERSION = "2026-10-28.endive"
WEBHOOK_SECRET = "whsec_test"
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def parse_form(text: str) -> dict:
    """Stripe's form encoding back to nested dicts and lists (values stay strings)."""
    root: dict = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        match = _KEY.match(key)
        if not match:
            root[key] = value
            continue
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for depth, part in enumerate(parts):
            if part == "":  # `expand[]` appends
                part = str(len(node))
            if depth == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    items = {key: _listify(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, code=None, param=None, kind=None):
        super().__init__(message)
        self.status = status
        self.body = {"type": kind or "invalid_request_error", "message": message}
        if code:
            self.body["code"] = code
        if param:
            self.body["param"] = param


@dataclass
class Call:
    """One request the server answered."""

    method: str
    path: str
    params: dict
    headers: dict
    status: int = 0
    replayed: bool = False

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


@dataclass
class FakeStripe:
    api_key: str = "sk_test_fake"
    api_version: str = API_VERSION
    refund_status: str = "succeeded"  # "pending": refunds wait for refund_settle()
    requests: list[Call] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    objects: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self):
        self._lock = threading.RLock()
        self._idempotency: dict[str, tuple[tuple, int, dict]] = {}
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "FakeStripe":
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def client(self, **options) -> stripe.StripeClient:
        """A real StripeClient pointed at this server."""
        options = {"max_network_retries": 0, "stripe_version": self.api_version, **options}
        return stripe.StripeClient(
            options.pop("api_key", self.api_key), base_addresses={"api": self.url}, **options
        )

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def now() -> int:
        return int(time.time())

    def _new(self, prefix: str, kind: str, **fields) -> dict:
        obj = {
            "id": f"{prefix}_test_{secrets.token_hex(12)}",
            "object": kind,
            "created": self.now(),
            "livemode": False,
            **fields,
        }
        self.objects[obj["id"]] = obj
        return obj

    def get(self, kind: str, object_id: str) -> dict:
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise StripeError(
                404, f"No such {kind}: '{object_id}'", code="resource_missing", param="id"
            )
        expired = obj.get("status") == "open" and obj.get("expires_at", 1e12) <= self.now()
        if kind == "checkout.session" and expired:
            self._expire(obj)
        return obj

    def _emit(self, kind: str, obj: dict) -> dict:
        event = self.event(kind, obj)
        self.events.append(event)
        return event

    # -- test controls -----------------------------------------------------------------------
    def session(self, session_id: str) -> dict:
        """A copy of the session as it is now."""
        with self._lock:
            return _public(self.get("checkout.session", session_id))

    def complete(self, session_id: str, *, amount: int | None = None) -> dict:
        """The buyer pays: a succeeded PaymentIntent (amount_received = `amount`, default the
        session's total) with a charge; the session complete and paid. Returns the session."""
        with self._lock:
            session = self.get("checkout.session", session_id)
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}")
            amount = session["amount_total"] if amount is None else amount
            intent = self._intent(session, status="succeeded", amount=amount)
            charge = self._new(
                "ch",
                "charge",
                amount=amount,
                amount_captured=amount,
                amount_refunded=0,
                currency=session["currency"],
                metadata=dict(intent["metadata"]),
                paid=True,
                payment_intent=intent["id"],
                refunded=False,
                status="succeeded",
            )
            intent.update(amount_received=amount, latest_charge=charge["id"])
            session.update(amount_total=amount, payment_status="paid", status="complete", url=None)
            self._emit("charge.succeeded", charge)
            self._emit("payment_intent.succeeded", intent)
            self._emit("checkout.session.completed", session)
            return _public(session)

    def fail(self, session_id: str) -> dict:
        """The card is declined: a PaymentIntent needing another payment method; the session
        stays open. Returns the PaymentIntent."""
        with self._lock:
            session = self.get("checkout.session", session_id)
            intent = self._intent(session, status="requires_payment_method", amount=None)
            intent["last_payment_error"] = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
            }
            self._emit("payment_intent.payment_failed", intent)
            return _public(intent)

    def expire(self, session_id: str) -> dict:
        with self._lock:
            session = self.get("checkout.session", session_id)
            if session["status"] != "open":
                raise StripeError(
                    400,
                    'Only Checkout Sessions with a status in ["open"] can be expired.',
                    code="checkout_session_not_open",
                )
            return _public(self._expire(session))

    def _expire(self, session: dict) -> dict:
        session.update(status="expired", url=None)
        self._emit("checkout.session.expired", session)
        return session

    def _intent(self, session: dict, *, status: str, amount: int | None) -> dict:
        intent_id = session["payment_intent"]
        if intent_id:
            intent = self.objects[intent_id]
            intent.update(status=status, last_payment_error=None)
            intent["amount"] = intent["amount"] if amount is None else amount
            return intent
        data = session["_payment_intent_data"]
        intent = self._new(
            "pi",
            "payment_intent",
            amount=session["amount_total"] if amount is None else amount,
            amount_received=0,
            currency=session["currency"],
            description=data.get("description"),
            last_payment_error=None,
            latest_charge=None,
            metadata=dict(data.get("metadata") or {}),
            payment_method_types=["card"],
            status=status,
        )
        session["payment_intent"] = intent["id"]
        return intent

    def refund_settle(self, refund_id: str, status: str = "succeeded") -> dict:
        """A pending refund finishes (succeeded or failed)."""
        with self._lock:
            refund = self.get("refund", refund_id)
            refund["status"] = status
            self._emit("refund.updated", refund)
            if status == "succeeded":
                self._refund_charge(refund)
            else:
                self._emit("refund.failed", refund)
            return _public(refund)

    def _refund_charge(self, refund: dict) -> None:
        charge = self.objects[refund["charge"]]
        charge["amount_refunded"] += refund["amount"]
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        self._emit("charge.refunded", charge)

    def event(self, kind: str, obj: dict) -> dict:
        """A Stripe Event (snapshot) about `obj` as it is now."""
        return {
            "id": f"evt_test_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": self.api_version,
            "created": self.now(),
            "data": {"object": _public(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }

    def events_for(self, session_id: str, kind: str | None = None) -> list[dict]:
        """Events emitted so far about a session, its PaymentIntent, charge and refunds."""
        with self._lock:
            ids = {session_id, self.objects[session_id]["payment_intent"]}
            ids |= {o["id"] for o in self.objects.values() if o.get("payment_intent") in ids}
            return [
                e
                for e in self.events
                if e["data"]["object"]["id"] in ids and kind in (None, e["type"])
            ]

    @staticmethod
    def signed(event: dict, secret: str = WEBHOOK_SECRET, *, timestamp: int | None = None):
        """(body bytes, Stripe-Signature header) as Stripe would deliver `event`."""
        body = json.dumps(event)
        header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp)
        return body.encode(), header

    # -- API ---------------------------------------------------------------------------------
    def handle(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        routes = [
            ("POST", r"/v1/checkout/sessions", self._session_create),
            ("GET", r"/v1/checkout/sessions/([^/]+)", self._session_retrieve),
            ("POST", r"/v1/checkout/sessions/([^/]+)/expire", self._session_expire),
            ("GET", r"/v1/payment_intents/([^/]+)", self._intent_retrieve),
            ("POST", r"/v1/refunds", self._refund_create),
            ("GET", r"/v1/refunds", self._refund_list),
            ("GET", r"/v1/refunds/([^/]+)", self._refund_retrieve),
        ]
        for verb, pattern, view in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                obj = view(params, *match.groups())
                return 200, self._expand(_public(obj), params.get("expand") or [])
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def _session_create(self, params: dict) -> dict:
        if params.get("mode") != "payment":
            raise StripeError(400, "This fake only supports mode=payment.", param="mode")
        items = params.get("line_items") or []
        if not items:
            raise StripeError(400, "line_items is required in payment mode.", param="line_items")
        total, currencies = 0, set()
        for n, item in enumerate(items):
            price = item.get("price_data") or {}
            try:
                total += int(price["unit_amount"]) * int(item.get("quantity", "1"))
                currencies.add(price["currency"])
                price["product_data"]["name"]
            except (KeyError, ValueError, TypeError):
                raise StripeError(
                    400, "Invalid price_data.", param=f"line_items[{n}][price_data]"
                ) from None
        if len(currencies) != 1 or not currencies.issubset({"idr", "usd", "eur", "sgd"}):
            raise StripeError(400, "Invalid currency.", param="line_items[0][price_data][currency]")
        now = self.now()
        expires_at = int(params.get("expires_at") or now + 24 * 3600)
        if not now + 30 * 60 - 5 <= expires_at <= now + 24 * 3600 + 5:
            raise StripeError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                param="expires_at",
            )
        session = self._new(
            "cs",
            "checkout.session",
            amount_subtotal=total,
            amount_total=total,
            cancel_url=params.get("cancel_url"),
            client_reference_id=params.get("client_reference_id"),
            currency=currencies.pop(),
            customer_email=params.get("customer_email"),
            expires_at=expires_at,
            metadata=params.get("metadata") or {},
            mode="payment",
            payment_intent=None,
            payment_method_types=params.get("payment_method_types") or ["card"],
            payment_status="unpaid",
            status="open",
            success_url=params.get("success_url"),
            _line_items=items,
            _payment_intent_data=params.get("payment_intent_data") or {},
        )
        session["url"] = f"{self.url}/pay/{session['id']}"
        return session

    def _session_retrieve(self, params, session_id):
        return self.get("checkout.session", session_id)

    def _session_expire(self, params, session_id):
        return self.expire(session_id)

    def _intent_retrieve(self, params, intent_id):
        return self.get("payment_intent", intent_id)

    def _refund_create(self, params: dict) -> dict:
        if params.get("payment_intent"):
            intent = self.get("payment_intent", params["payment_intent"])
        elif params.get("charge"):
            charge = self.get("charge", params["charge"])
            intent = self.objects[charge["payment_intent"]]
        else:
            raise StripeError(400, "One of charge or payment_intent is required.")
        if intent["status"] != "succeeded" or not intent["latest_charge"]:
            raise StripeError(
                400,
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        charge = self.objects[intent["latest_charge"]]
        taken = sum(
            r["amount"]
            for r in self.objects.values()
            if r["object"] == "refund"
            and r["charge"] == charge["id"]
            and r["status"] in ("pending", "succeeded")
        )
        left = charge["amount"] - taken
        amount = int(params.get("amount") or left)
        if left <= 0:
            raise StripeError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        if amount <= 0 or amount > left:
            raise StripeError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                code="amount_too_large",
                param="amount",
            )
        refund = self._new(
            "re",
            "refund",
            amount=amount,
            charge=charge["id"],
            currency=charge["currency"],
            metadata=params.get("metadata") or {},
            payment_intent=intent["id"],
            reason=params.get("reason"),
            status=self.refund_status,
        )
        self._emit("refund.created", refund)
        if refund["status"] == "succeeded":
            self._refund_charge(refund)
        return refund

    def _refund_retrieve(self, params, refund_id):
        return self.get("refund", refund_id)

    def _refund_list(self, params: dict) -> dict:
        refunds = [
            _public(o)
            for o in reversed(self.objects.values())
            if o["object"] == "refund"
            and params.get("payment_intent") in (None, o["payment_intent"])
            and params.get("charge") in (None, o["charge"])
        ]
        limit = int(params.get("limit") or 10)
        return {
            "object": "list",
            "data": refunds[:limit],
            "has_more": len(refunds) > limit,
            "url": "/v1/refunds",
        }

    def _expand(self, obj: dict, paths: list[str]) -> dict:
        for path in paths:
            if path == "line_items" and obj.get("object") == "checkout.session":
                obj["line_items"] = {
                    "object": "list",
                    "data": [_line_item(i, obj) for i in self.objects[obj["id"]]["_line_items"]],
                    "has_more": False,
                    "url": f"/v1/checkout/sessions/{obj['id']}/line_items",
                }
            elif isinstance(obj.get(path), str) and obj[path] in self.objects:
                obj[path] = _public(self.objects[obj[path]])
        return obj


def _line_item(item: dict, session: dict) -> dict:
    price, quantity = item["price_data"], int(item.get("quantity", "1"))
    amount = int(price["unit_amount"]) * quantity
    return {
        "id": f"li_test_{secrets.token_hex(12)}",
        "object": "item",
        "amount_subtotal": amount,
        "amount_total": amount,
        "currency": session["currency"],
        "description": price["product_data"]["name"],
        "quantity": quantity,
    }


def _public(obj: dict) -> dict:
    """A copy without the fake's private `_fields`."""
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


PAY_PAGE = """<!doctype html><html><head><title>Fake Stripe Checkout</title></head><body>
<h1>Fake Stripe Checkout</h1><p>{currency} {amount} — {status}</p>
<form method="post"><button type="submit">Pay</button></form>
<p><a href="{cancel}">Back</a></p></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        fake = self.server_fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        params = parse_form(body if method == "POST" else url.query)
        call = Call(method, url.path, params, CaseInsensitiveDict(self.headers.items()))
        with fake._lock:
            fake.requests.append(call)
            if url.path.startswith("/pay/"):
                return self._pay_page(method, url.path.removeprefix("/pay/"), call)
            try:
                call.status, payload = self._api(method, url.path, params, body, call)
            except StripeError as error:
                call.status, payload = error.status, {"error": error.body}
        self._send(call.status, json.dumps(payload).encode(), "application/json", call)

    def _api(self, method, path, params, body, call) -> tuple[int, dict]:
        fake = self.server_fake
        auth = self.headers.get("Authorization", "")
        if auth != f"Bearer {fake.api_key}":
            key = auth.removeprefix("Bearer ").strip()
            message = (
                f"Invalid API Key provided: {key[:8]}…"
                if key
                else "You did not provide an API key."
            )
            raise StripeError(401, message)
        key = call.idempotency_key
        if method != "POST" or not key:
            return fake.handle(method, path, params)
        fingerprint = (method, path, body)
        if key in fake._idempotency:
            saved, status, payload = fake._idempotency[key]
            if saved != fingerprint:
                raise StripeError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request.",
                    kind="idempotency_error",
                )
            call.replayed = True
            return status, payload
        status, payload = fake.handle(method, path, params)
        fake._idempotency[key] = (fingerprint, status, payload)
        return status, payload

    def _pay_page(self, method: str, session_id: str, call: Call) -> None:
        fake = self.server_fake
        try:
            session = fake.get("checkout.session", session_id)
        except StripeError:
            call.status = 404
            return self._send(404, b"No such session", "text/plain", call)
        if method == "POST" and session["status"] == "open":
            fake.complete(session_id)
            call.status = 303
            target = (session["success_url"] or "/").replace("{CHECKOUT_SESSION_ID}", session_id)
            return self._send(303, b"", "text/plain", call, location=target)
        page = PAY_PAGE.format(
            currency=session["currency"].upper(),
            amount=session["amount_total"],
            status=session["status"],
            cancel=html.escape(session["cancel_url"] or "/"),
        )
        call.status = 200
        self._send(200, page.encode(), "text/html; charset=utf-8", call)

    def _send(self, status, body: bytes, content_type, call: Call, location=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
        self.send_header("Stripe-Version", call.headers.get("Stripe-Version", API_VERSION))
        if call.replayed:
            self.send_header("Idempotent-Replayed", "true")
        if call.idempotency_key:
            self.send_header("Idempotency-Key", call.idempotency_key)
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)
