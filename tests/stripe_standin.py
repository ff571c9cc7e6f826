"""A local stand-in for Stripe's API and hosted Checkout page, for tests on a machine with no network.

It speaks Stripe's wire format to the real `stripe` library (form-encoded bodies with bracket keys, Bearer
key, Idempotency-Key, Stripe's error objects) and answers with Stripe's documented object shapes
(`checkout.session`, `event`). It serves a payment page for browser journeys, and signs the webhook events it
sends with a real `Stripe-Signature` header, so our webhook verifies them exactly as it verifies Stripe's.

    with StripeStandin() as fake:                     # or the `stripe_standin` fixture (conftest)
        client = fake.client()                        # stripe.StripeClient aimed at the stand-in
        fake.webhook = live_server.url + "/webhooks/stripe"     # or a callable(body, headers) -> status
        session = client.v1.checkout.sessions.create(params={...}, options={"idempotency_key": "order-1"})
        fake.pay(session.id)                          # what the page's Pay button does: paid + event sent
        fake.requests[-1].params, fake.deliveries[-1].status

Only what Serumpun uses is implemented: Checkout Sessions in `payment` mode with `price_data` line items
(create, retrieve, expire, line items) and events (retrieve). Everything else answers 404 as Stripe does for
an unknown URL. Ids are deterministic within a run: a process-wide counter, never random.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import html
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest
import stripe
from stripe._encode import _api_encode

API_VERSION = stripe.api_version  # what the installed library pins (and sends as Stripe-Version)
API_KEY = "sk_test_serumpun_standin"
WEBHOOK_SECRET = "whsec_serumpun_standin"

SESSION_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"
MIN_EXPIRY = 30 * 60  # expires_at: at least 30 minutes ...
MAX_EXPIRY = 24 * 60 * 60  # ... and at most 24 hours after creation; 24 hours when not given
# Stripe's minimum charge per currency (docs: "Minimum and maximum charge amounts"), in minor units.
MINIMUM_CHARGE = {"myr": 200, "usd": 50, "sgd": 50, "eur": 50, "gbp": 30, "aud": 50, "idr": 0}
# Three-letter codes the stand-in knows (Stripe knows more; these are the ones we might send).
CURRENCIES = {"myr", "idr", "sgd", "usd", "eur", "gbp", "aud", "jpy", "thb", "php"}
ZERO_DECIMAL = {"jpy", "krw", "vnd"}
PAYMENT_METHOD_TYPES = {"card", "fpx", "grabpay", "alipay", "wechat_pay", "link", "paynow", "promptpay"}
MYR_ONLY = {"fpx", "grabpay"}  # Stripe refuses these in any other currency
LOCALES = {"auto", "en", "id", "ms", "zh", "th", "ja", "ko", "fr", "de", "es", "nl", "it", "pt", "vi", "fil"}
# Top-level create parameters Stripe accepts. Those in the first set are kept and echoed on the session; the
# others are accepted and ignored. Anything else is refused as Stripe refuses it ("Received unknown parameter").
KEPT_PARAMS = {"mode", "line_items", "currency", "success_url", "cancel_url", "client_reference_id", "metadata",
               "payment_method_types", "expires_at", "customer_email", "locale", "submit_type", "ui_mode",
               "expand", "payment_intent_data", "customer", "customer_creation"}
IGNORED_PARAMS = {"allow_promotion_codes", "automatic_tax", "billing_address_collection", "consent_collection",
                  "custom_fields", "custom_text", "discounts", "invoice_creation", "payment_method_options",
                  "payment_method_collection", "phone_number_collection", "shipping_address_collection",
                  "shipping_options", "tax_id_collection", "after_expiration", "payment_method_configuration",
                  "saved_payment_method_options", "redirect_on_completion", "return_url", "wallet_options",
                  "adaptive_pricing", "branding_settings", "name_collection", "optional_items"}

_counter = itertools.count(1)


def new_id(prefix: str) -> str:
    """A Stripe-looking id (cs_test_..., evt_..., pi_...): unique in this process and the same on every run."""
    n = next(_counter)
    return f"{prefix}_{hashlib.sha256(f'{prefix}{n}'.encode()).hexdigest()[:24]}"


# --- helpers a test can use without a server -------------------------------------------------------------

def event_for(session: Any, type: str, *, created: int | None = None, event_id: str | None = None,
              api_version: str = API_VERSION, request_id: str | None = None, idempotency_key: str | None = None,
              pending_webhooks: int = 1) -> dict:
    """Stripe's event object (`object: "event"`) carrying a snapshot of the session as data.object."""
    if hasattr(session, "to_dict"):  # a StripeObject returned by the library
        session = session.to_dict()
    return {
        "id": event_id or new_id("evt"),
        "object": "event",
        "api_version": api_version,
        "created": int(time.time()) if created is None else created,
        "data": {"object": copy.deepcopy(session)},
        "livemode": False,
        "pending_webhooks": pending_webhooks,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": type,
    }


def signed(payload: Any, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    """(body, Stripe-Signature header) as Stripe sends a webhook; payload is an event dict, str or bytes."""
    if isinstance(payload, dict):
        payload = json.dumps(payload, indent=2)  # Stripe sends pretty-printed JSON
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return payload.encode("utf-8"), header


def parse_form(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's bracket notation (a[b][0][c]=v, expand[]=x) into nested dicts and lists; values stay strings."""
    root: dict = {}
    for key, value in pairs:
        match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        if not match:
            raise StandinError(400, f"Invalid parameter name: {key}", param=key, code="parameter_unknown")
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # a[]=x appends
                part = str(sum(1 for k in node if k.isdigit()))
            if last:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise StandinError(400, f"Invalid hash: {key}", param=key, code="parameter_invalid")
                node = child

    def listify(node):
        if not isinstance(node, dict):
            return node
        items = {k: listify(v) for k, v in node.items()}
        if items and all(k.isdigit() for k in items):
            return [items[k] for k in sorted(items, key=int)]
        return items

    return listify(root)


# --- records ---------------------------------------------------------------------------------------------

@dataclass
class RecordedRequest:
    """One request the stand-in received, as our code sent it."""
    method: str
    path: str
    params: dict
    headers: dict
    status: int = 0
    response: Any = None

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")

    @property
    def stripe_version(self) -> str | None:
        return self.headers.get("Stripe-Version")


@dataclass
class Delivery:
    """One webhook POST: the event, the exact body and header sent, and what the endpoint answered."""
    event: dict
    body: bytes
    signature: str
    status: int | None
    response: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class _Failure:
    status: int
    message: str
    error_type: str
    path_prefix: str | None


class StandinError(Exception):
    """An API error answered in Stripe's shape: {"error": {type, message, param, code, doc_url}}."""

    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None,
                 error_type: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.error_type = status, message, param, code, error_type

    def body(self, request_id: str) -> dict:
        error: dict[str, Any] = {"message": self.message, "type": self.error_type,
                                 "request_log_url": f"https://dashboard.stripe.com/test/logs/{request_id}"}
        if self.param:
            error["param"] = self.param
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        return {"error": error}


# --- the stand-in ----------------------------------------------------------------------------------------

class StripeStandin:
    """Stripe's API and hosted Checkout page on 127.0.0.1 (a free port), for one test or module.

    webhook: where events go (a URL, or a callable(body: bytes, headers: dict) returning a status code or a
    response with .status_code, e.g. a Flask test client's post); None keeps them in `events` only.
    clock: seconds since the epoch (time.time by default); a test can pass its own to move time.
    auto_deliver: the Pay button sends its events before redirecting (True), or queues them in `pending`
    for the test to send with deliver_pending() (False: the buyer is back on our site before the webhook).
    delayed_payment: the Pay button completes the session unpaid, as a delayed payment method does; the
    test then calls async_payment_succeeded() or async_payment_failed().
    """

    def __init__(self, *, api_key: str = API_KEY, webhook_secret: str = WEBHOOK_SECRET,
                 webhook: str | Callable | None = None, clock: Callable[[], float] = time.time,
                 auto_deliver: bool = True, delayed_payment: bool = False):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook = webhook
        self.clock = clock
        self.auto_deliver = auto_deliver
        self.delayed_payment = delayed_payment
        self.sessions: dict[str, dict] = {}
        self.line_items: dict[str, list[dict]] = {}
        self.events: list[dict] = []
        self.pending: list[dict] = []
        self.deliveries: list[Delivery] = []
        self.requests: list[RecordedRequest] = []
        self._idempotent: dict[str, tuple[str, str, list, int, dict, str]] = {}
        self._failures: list[_Failure] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> StripeStandin:
        standin = self

        class Handler(_Handler):
            pass

        Handler.standin = standin
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        # A short poll keeps stop() quick (shutdown waits for the loop to look up).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="stripe-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> StripeStandin:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "the stand-in is not started"
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def base_addresses(self) -> dict:
        """For stripe.StripeClient(key, base_addresses=...): every Stripe host points here."""
        return {"api": self.url, "files": self.url, "connect": self.url, "meter_events": self.url}

    def client(self, api_key: str | None = None, **kwargs) -> stripe.StripeClient:
        """A real StripeClient talking to the stand-in (no retries, so failures show at once)."""
        kwargs.setdefault("max_network_retries", 0)
        return stripe.StripeClient(api_key or self.api_key, base_addresses=self.base_addresses, **kwargs)

    def now(self) -> int:
        return int(self.clock())

    # reading state
    def session(self, session_id: str) -> dict:
        """A copy of the session as the API would return it now."""
        with self._lock:
            self._expire_if_due(session_id)
            return copy.deepcopy(self._session(session_id))

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path and (method is None or r.method == method.upper())]

    def fail_next(self, status: int = 500, message: str = "An unknown error occurred", *,
                  error_type: str = "api_error", path_prefix: str | None = None) -> None:
        """The next API request (under path_prefix, if given) gets this error instead of its answer."""
        with self._lock:
            self._failures.append(_Failure(status, message, error_type, path_prefix))

    # creating a session without HTTP (for webhook tests that need no provider)
    def create_session(self, **params) -> dict:
        """Create a session from Python values, validated as POST /v1/checkout/sessions validates them."""
        pairs = [(k, str(v)) for k, v in _api_encode(params)]
        with self._lock:
            return copy.deepcopy(self._create_session(parse_form(pairs)))

    # what happens on Stripe's side after the buyer acts (each returns the event it produced)
    def pay(self, session_id: str, *, deliver: bool = True) -> dict:
        """The buyer paid on the hosted page: complete and paid (or unpaid, with delayed_payment)."""
        return self.complete(session_id, paid=not self.delayed_payment, deliver=deliver)

    def complete(self, session_id: str, *, paid: bool = True, deliver: bool = True) -> dict:
        """checkout.session.completed; paid=False is a delayed payment method whose result comes later."""
        with self._lock:
            event = self._complete(session_id, paid)
        return self._send(event, deliver)

    def async_payment_succeeded(self, session_id: str, *, deliver: bool = True) -> dict:
        with self._lock:
            session = self._awaiting_payment(session_id)
            session["payment_status"] = "paid"
            event = self._event(session, "checkout.session.async_payment_succeeded")
        return self._send(event, deliver)

    def async_payment_failed(self, session_id: str, *, deliver: bool = True) -> dict:
        with self._lock:
            session = self._awaiting_payment(session_id)  # stays complete and unpaid
            event = self._event(session, "checkout.session.async_payment_failed")
        return self._send(event, deliver)

    def expire(self, session_id: str, *, deliver: bool = True) -> dict:
        """The session ran out of time (or was expired): checkout.session.expired."""
        with self._lock:
            session = self._open_session(session_id)
            event = self._expire(session)
        return self._send(event, deliver)

    # webhooks
    def deliver(self, event: dict, *, timestamp: int | None = None, to: str | Callable | None = None) -> Delivery:
        """POST the event, signed, to the webhook (again, if it was sent before: Stripe redelivers too)."""
        target = to if to is not None else self.webhook
        body, header = signed(event, self.webhook_secret, self.now() if timestamp is None else timestamp)
        headers = {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header,
                   "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}
        if target is None:
            delivery = Delivery(event, body, header, None, error="no webhook configured")
        elif callable(target):
            answer = target(body, headers)
            status = answer if isinstance(answer, int) else answer.status_code
            delivery = Delivery(event, body, header, status)
        else:
            delivery = _post(target, body, headers, event, header)
        with self._lock:
            self.deliveries.append(delivery)
        return delivery

    def deliver_pending(self) -> list[Delivery]:
        """Send the queued events in the order they happened; a test may reorder `pending` first."""
        with self._lock:
            events, self.pending = self.pending, []
        return [self.deliver(event) for event in events]

    # internals (called with the lock held)
    def _session(self, session_id: str) -> dict:
        try:
            return self.sessions[session_id]
        except KeyError:
            raise StandinError(404, f"No such checkout.session: '{session_id}'", param="session",
                               code="resource_missing") from None

    def _open_session(self, session_id: str) -> dict:
        self._expire_if_due(session_id)
        session = self._session(session_id)
        if session["status"] != "open":
            raise StandinError(400, f"This Checkout Session is {session['status']}, not open.")
        return session

    def _complete(self, session_id: str, paid: bool) -> dict:
        session = self._open_session(session_id)
        session.update(status="complete", payment_status="paid" if paid else "unpaid", url=None,
                       payment_intent=new_id("pi"),
                       customer_details={"address": None, "email": session["customer_email"], "name": None,
                                         "phone": None, "tax_exempt": "none", "tax_ids": []})
        return self._event(session, "checkout.session.completed")

    def _awaiting_payment(self, session_id: str) -> dict:
        session = self._session(session_id)
        if session["status"] != "complete" or session["payment_status"] != "unpaid":
            raise StandinError(400, "Only a completed, unpaid Checkout Session (a delayed payment method) "
                               "can have its payment succeed or fail later.")
        return session

    def _expire(self, session: dict, request: tuple[str | None, str | None] = (None, None)) -> dict:
        session.update(status="expired", url=None)
        return self._event(session, "checkout.session.expired", request)

    def _expire_if_due(self, session_id: str) -> None:
        session = self.sessions.get(session_id)
        if session and session["status"] == "open" and self.now() >= session["expires_at"]:
            self.pending.append(self._expire(session))

    def _event(self, session: dict, type: str, request: tuple[str | None, str | None] = (None, None)) -> dict:
        event = event_for(session, type, created=self.now(), request_id=request[0], idempotency_key=request[1],
                          pending_webhooks=1 if self.webhook is not None else 0)
        self.events.append(event)
        return event

    def _send(self, event: dict, deliver: bool) -> dict:
        if deliver:
            self.deliver(event)
        else:
            with self._lock:
                self.pending.append(event)
        return event

    def _create_session(self, params: dict) -> dict:
        unknown = sorted(set(params) - KEPT_PARAMS - IGNORED_PARAMS)
        if unknown:
            raise StandinError(400, f"Received unknown parameter: {unknown[0]}", param=unknown[0],
                               code="parameter_unknown")
        mode = params.get("mode")
        if not mode:
            raise _missing("mode")
        if mode != "payment":
            raise StandinError(400, f"The stand-in only knows mode=payment, not {mode!r}.", param="mode",
                               code="parameter_invalid")
        ui_mode = params.get("ui_mode", "hosted")
        if ui_mode != "hosted":
            raise StandinError(400, f"The stand-in only serves the hosted page, not ui_mode={ui_mode!r}.",
                               param="ui_mode")
        for name in ("success_url", "cancel_url"):
            if name == "success_url" and not params.get(name):
                raise _missing(name)
            if params.get(name) and not _is_url(params[name]):
                raise StandinError(400, "Not a valid URL", param=name, code="url_invalid")

        raw_items = params.get("line_items")
        if not raw_items:
            raise StandinError(400, "You must provide at least one line item (line_items) in `payment` mode.",
                               param="line_items", code="parameter_missing")
        if not isinstance(raw_items, list):
            raise StandinError(400, "Invalid array", param="line_items", code="parameter_invalid")
        items, currency = [], None
        for i, raw in enumerate(raw_items):
            item = _line_item(raw, f"line_items[{i}]")
            if currency and item["currency"] != currency:
                raise StandinError(400, "All line items must have the same currency.",
                                   param=f"line_items[{i}][price_data][currency]")
            currency = item["currency"]
            items.append(item)
        if params.get("currency") and _currency(params["currency"], "currency") != currency:
            raise StandinError(400, "currency must match the currency of the line items.", param="currency")
        total = sum(item["amount_total"] for item in items)
        minimum = MINIMUM_CHARGE.get(currency, 1)
        if total < max(minimum, 1):
            raise StandinError(400, f"The Checkout Session's total amount due must add up to at least "
                               f"{_money(max(minimum, 1), currency)}.", param="line_items",
                               code="amount_too_small")

        methods = params.get("payment_method_types", ["card"])
        if not isinstance(methods, list) or not methods:
            raise StandinError(400, "Invalid array", param="payment_method_types", code="parameter_invalid")
        for i, method in enumerate(methods):
            if method not in PAYMENT_METHOD_TYPES:
                raise StandinError(400, f"Invalid payment_method_types[{i}]: must be one of "
                                   f"{', '.join(sorted(PAYMENT_METHOD_TYPES))}", param=f"payment_method_types[{i}]",
                                   code="parameter_invalid")
            if method in MYR_ONLY and currency != "myr":
                raise StandinError(400, f"The currency provided ({currency}) is invalid for one or more payment "
                                   f"method types ({method}): {method} accepts only myr.",
                                   param="payment_method_types")

        now = self.now()
        expires_at = _integer(params["expires_at"], "expires_at") if "expires_at" in params else now + MAX_EXPIRY
        if expires_at - now < MIN_EXPIRY:
            raise StandinError(400, "The `expires_at` timestamp must be at least 30 minutes from Checkout Session "
                               "creation.", param="expires_at", code="parameter_invalid")
        if expires_at - now > MAX_EXPIRY:
            raise StandinError(400, "The `expires_at` timestamp must be less than 24 hours from Checkout Session "
                               "creation.", param="expires_at", code="parameter_invalid")

        metadata = _metadata(params.get("metadata", {}), "metadata")
        reference = params.get("client_reference_id")
        if reference is not None and not 1 <= len(reference) <= 200:
            raise StandinError(400, "client_reference_id must be 1 to 200 characters.", param="client_reference_id")
        locale = params.get("locale")
        if locale is not None and locale not in LOCALES:
            raise StandinError(400, f"Invalid locale: {locale}", param="locale", code="parameter_invalid")
        intent_data = params.get("payment_intent_data", {})
        if not isinstance(intent_data, dict):
            raise StandinError(400, "Invalid hash", param="payment_intent_data", code="parameter_invalid")
        if "metadata" in intent_data:
            _metadata(intent_data["metadata"], "payment_intent_data[metadata]")

        session_id = new_id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "after_expiration": None,
            "allow_promotion_codes": None,
            "amount_subtotal": total,
            "amount_total": total,
            "automatic_tax": {"enabled": False, "liability": None, "status": None},
            "billing_address_collection": None,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": reference,
            "client_secret": None,
            "created": now,
            "currency": currency,
            "custom_fields": [],
            "custom_text": {"after_submit": None, "shipping_address": None, "submit": None,
                            "terms_of_service_acceptance": None},
            "customer": params.get("customer"),
            "customer_creation": params.get("customer_creation", "if_required"),
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "invoice": None,
            "livemode": False,
            "locale": locale,
            "metadata": metadata,
            "mode": mode,
            "payment_intent": None,
            "payment_link": None,
            "payment_method_collection": "if_required",
            "payment_method_options": {},
            "payment_method_types": list(methods),
            "payment_status": "unpaid",
            "phone_number_collection": {"enabled": False},
            "recovered_from": None,
            "setup_intent": None,
            "shipping_address_collection": None,
            "shipping_cost": None,
            "shipping_options": [],
            "status": "open",
            "submit_type": params.get("submit_type"),
            "subscription": None,
            "success_url": params.get("success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted",
            "url": f"{self.url}/pay/{session_id}" if self._server else f"http://127.0.0.1/pay/{session_id}",
        }
        self.sessions[session_id] = session
        self.line_items[session_id] = [{"id": new_id("li"), "object": "item", **item} for item in items]
        return session

    def _line_items_list(self, session_id: str) -> dict:
        return {"object": "list", "data": copy.deepcopy(self.line_items[session_id]), "has_more": False,
                "url": f"/v1/checkout/sessions/{session_id}/line_items"}

    def _render(self, session_id: str, params: dict) -> dict:
        self._expire_if_due(session_id)
        body = copy.deepcopy(self._session(session_id))
        expand = params.get("expand", [])
        for name in expand if isinstance(expand, list) else [expand]:
            if name != "line_items":
                raise StandinError(400, f"This property cannot be expanded ({name}).", param="expand")
            body["line_items"] = self._line_items_list(session_id)
        return body

    # the HTTP side
    def handle_api(self, method: str, path: str, params: dict, pairs: list, headers: dict) -> tuple[int, dict, dict]:
        """Answer one /v1 request: (status, JSON body, extra headers). Called by the handler thread."""
        with self._lock:
            request_id = new_id("req")
            extra = {"Request-Id": request_id, "Stripe-Version": headers.get("Stripe-Version") or API_VERSION}
            try:
                self._authenticate(headers)
                for failure in self._failures:
                    if failure.path_prefix is None or path.startswith(failure.path_prefix):
                        self._failures.remove(failure)
                        raise StandinError(failure.status, failure.message, error_type=failure.error_type)
                key = headers.get("Idempotency-Key") if method == "POST" else None
                fingerprint = sorted(pairs)
                if key is not None and key in self._idempotent:
                    first_method, first_path, first_pairs, status, body, first_request = self._idempotent[key]
                    if (first_method, first_path) != (method, path):
                        raise StandinError(400, f"Keys for idempotent requests can only be used for the same "
                                           f"endpoint they were first used for ('{first_path}' vs '{path}'). Try "
                                           f"using a key other than '{key}' if you meant to execute a different "
                                           f"request.", error_type="idempotency_error")
                    if first_pairs != fingerprint:
                        raise StandinError(400, f"Keys for idempotent requests can only be used with the same "
                                           f"parameters they were first used with. Try using a key other than "
                                           f"'{key}' if you meant to execute a different request.",
                                           error_type="idempotency_error")
                    return status, copy.deepcopy(body), {**extra, "Request-Id": first_request,
                                                         "Idempotent-Replayed": "true"}
                status, body = self._route(method, path, params, (request_id, key))
                if key is not None:  # Stripe saves the result once the endpoint ran (not for refused params)
                    self._idempotent[key] = (method, path, fingerprint, status, copy.deepcopy(body), request_id)
                return status, body, extra
            except StandinError as error:
                return error.status, error.body(request_id), extra

    def _authenticate(self, headers: dict) -> None:
        authorization = headers.get("Authorization") or ""
        key = None
        if authorization.startswith("Bearer "):
            key = authorization[len("Bearer "):].strip()
        elif authorization.startswith("Basic "):
            key = base64.b64decode(authorization[6:]).decode("utf-8", "replace").split(":")[0]
        if not key:
            raise StandinError(401, "You did not provide an API key. You need to provide your API key in the "
                               "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                               "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or "
                               "we can help at https://support.stripe.com/.")
        if key != self.api_key:
            raise StandinError(401, f"Invalid API Key provided: {key[:8]}{'*' * 12}{key[-4:]}")

    def _route(self, method: str, path: str, params: dict, request: tuple) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        if parts[:3] == ["v1", "checkout", "sessions"]:
            if len(parts) == 3 and method == "POST":
                session = self._create_session(params)
                return 200, self._render(session["id"], params)
            if len(parts) == 4 and method == "GET":
                return 200, self._render(parts[3], params)
            if len(parts) == 5 and parts[4] == "expire" and method == "POST":
                self._expire_if_due(parts[3])
                session = self._session(parts[3])
                if session["status"] != "open":
                    raise StandinError(400, 'Only Checkout Sessions with a status in ["open"] can be expired.')
                # Stripe sends the event after answering: it waits in `pending` (deliver_pending()).
                self.pending.append(self._expire(session, request))
                return 200, self._render(parts[3], {k: v for k, v in params.items() if k == "expand"})
            if len(parts) == 5 and parts[4] == "line_items" and method == "GET":
                self._session(parts[3])
                return 200, self._line_items_list(parts[3])
        if parts[:2] == ["v1", "events"] and len(parts) == 3 and method == "GET":
            for event in self.events:
                if event["id"] == parts[2]:
                    return 200, copy.deepcopy(event)
            raise StandinError(404, f"No such event: '{parts[2]}'", param="id", code="resource_missing")
        raise StandinError(404, f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
                           "or we can help at https://support.stripe.com/.")

    def page(self, session_id: str) -> tuple[int, str]:
        with self._lock:
            self._expire_if_due(session_id)
            session = self.sessions.get(session_id)
            items = self.line_items.get(session_id, [])
        if session is None:
            return 404, _html("Not found", "<p>Something went wrong: this checkout page does not exist.</p>")
        amount = _money(session["amount_total"], session["currency"])
        rows = "".join(f"<li>{html.escape(i['description'])} × {i['quantity']}: "
                       f"{_money(i['amount_total'], i['currency'])}</li>" for i in items)
        if session["status"] != "open":
            state = "complete" if session["status"] == "complete" else "expired"
            return 200, _html("Checkout", f"<p>This checkout session is {state}.</p><ul>{rows}</ul>")
        return 200, _html("Checkout", f"""
<h1>Pay {amount}</h1>
<p>Stripe stand-in: test mode, no money moves.</p>
<ul>{rows}</ul>
<p>Total <strong id="total">{amount}</strong></p>
<form method="post" action="/pay/{html.escape(session_id)}">
  <button type="submit" name="action" value="pay">Pay {amount}</button>
  <button type="submit" name="action" value="cancel">Cancel</button>
</form>""")

    def act(self, session_id: str, action: str) -> tuple[int, str, str | None]:
        """The page's buttons: (status, html, redirect location)."""
        with self._lock:
            session = self.sessions.get(session_id)
            if session is None:
                return 404, _html("Not found", "<p>This checkout page does not exist.</p>"), None
            if action == "cancel":
                if not session["cancel_url"]:  # Stripe's page has no way back without one
                    return 409, _html("Checkout", "<p>This checkout session has no cancel_url.</p>"), None
                return 303, "", session["cancel_url"]
            if action != "pay":
                return 400, _html("Bad request", "<p>Unknown action.</p>"), None
            try:
                event = self._complete(session_id, paid=not self.delayed_payment)
            except StandinError as error:
                return 409, _html("Checkout", f"<p>{html.escape(error.message)}</p>"), None
            location = session["success_url"].replace(SESSION_PLACEHOLDER, session_id)
        # Outside the lock: our webhook may call back (retrieve the session) while it handles the event.
        self._send(event, self.auto_deliver)
        return 303, "", location


def _post(url: str, body: bytes, headers: dict, event: dict, header: str) -> Delivery:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=30) as response:
            return Delivery(event, body, header, response.status, response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        return Delivery(event, body, header, error.code, error.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError) as error:
        return Delivery(event, body, header, None, error=str(error))


class _Handler(BaseHTTPRequestHandler):
    standin: StripeStandin
    server_version = "stripe-standin"

    def log_message(self, format, *args):  # quiet: the test output is not the place
        pass

    def _read(self) -> tuple[str, list[tuple[str, str]]]:
        split = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        pairs += urllib.parse.parse_qsl(body, keep_blank_values=True)
        return split.path, pairs

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        path, pairs = self._read()
        headers = dict(self.headers.items())
        if path.startswith("/pay/"):
            session_id = path[len("/pay/"):]
            if self.command == "GET":
                status, page = self.standin.page(session_id)
                return self._send(status, page.encode(), "text/html; charset=utf-8")
            status, page, location = self.standin.act(session_id, dict(pairs).get("action", ""))
            return self._send(status, page.encode(), "text/html; charset=utf-8",
                              {"Location": location} if location else None)
        record = RecordedRequest(self.command, path, {}, headers)
        with self.standin._lock:
            self.standin.requests.append(record)
        try:
            record.params = parse_form(pairs)
            status, body, extra = self.standin.handle_api(self.command, path, record.params, pairs, headers)
        except StandinError as error:
            status, body, extra = error.status, error.body("req_unparsed"), {}
        record.status, record.response = status, body
        self._send(status, json.dumps(body, indent=2).encode(), "application/json", extra)

    do_GET = do_POST = do_DELETE = _handle


# --- small pure helpers ----------------------------------------------------------------------------------

def _missing(param: str) -> StandinError:
    return StandinError(400, f"Missing required param: {param}.", param=param, code="parameter_missing")


def _integer(value: Any, param: str) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
        raise StandinError(400, f"Invalid integer: {value}", param=param, code="parameter_invalid_integer")
    return int(value)


def _currency(value: Any, param: str) -> str:
    if not isinstance(value, str) or not value:
        raise _missing(param)
    if value != value.lower():
        # Stripe documents currency as "three-letter ISO code, in lowercase"; we hold our code to that.
        raise StandinError(400, f"Invalid currency: {value}. Currencies are three-letter ISO codes in lowercase.",
                           param=param, code="parameter_invalid")
    if value not in CURRENCIES:
        raise StandinError(400, f"Invalid currency: {value}.", param=param, code="parameter_invalid")
    return value


def _line_item(raw: Any, where: str) -> dict:
    if not isinstance(raw, dict):
        raise StandinError(400, "Invalid hash", param=where, code="parameter_invalid")
    unknown = sorted(set(raw) - {"price_data", "quantity", "price", "adjustable_quantity", "tax_rates"})
    if unknown:
        raise StandinError(400, f"Received unknown parameter: {where}[{unknown[0]}]", param=f"{where}[{unknown[0]}]",
                           code="parameter_unknown")
    if "price" in raw:
        raise StandinError(400, f"No such price: '{raw['price']}'", param=f"{where}[price]", code="resource_missing")
    if "quantity" not in raw:
        raise _missing(f"{where}[quantity]")
    quantity = _integer(raw["quantity"], f"{where}[quantity]")
    if quantity < 1:
        raise StandinError(400, "This value must be greater than or equal to 1.", param=f"{where}[quantity]",
                           code="parameter_invalid_integer")
    price = raw.get("price_data")
    if not isinstance(price, dict):
        raise StandinError(400, "You must specify either `price` or `price_data` in each line item.",
                           param=f"{where}[price_data]", code="parameter_missing")
    currency = _currency(price.get("currency"), f"{where}[price_data][currency]")
    if "unit_amount" not in price:
        raise _missing(f"{where}[price_data][unit_amount]")
    unit_amount = _integer(price["unit_amount"], f"{where}[price_data][unit_amount]")
    if unit_amount < 0:
        raise StandinError(400, "This value must be greater than or equal to 0.",
                           param=f"{where}[price_data][unit_amount]", code="parameter_invalid_integer")
    product = price.get("product_data")
    if not isinstance(product, dict) or not product.get("name"):
        raise _missing(f"{where}[price_data][product_data][name]")
    if "metadata" in product:
        _metadata(product["metadata"], f"{where}[price_data][product_data][metadata]")
    return {"amount_discount": 0, "amount_subtotal": unit_amount * quantity, "amount_tax": 0,
            "amount_total": unit_amount * quantity, "currency": currency, "description": product["name"],
            "quantity": quantity,
            "price": {"id": new_id("price"), "object": "price", "currency": currency, "unit_amount": unit_amount,
                      "product": new_id("prod"), "type": "one_time", "livemode": False}}


def _metadata(value: Any, param: str) -> dict:
    if value == "":  # Stripe: an empty string unsets
        return {}
    if not isinstance(value, dict):
        raise StandinError(400, "Invalid hash", param=param, code="parameter_invalid")
    if len(value) > 50:
        raise StandinError(400, "Metadata can have at most 50 keys.", param=param)
    for key, item in value.items():
        if len(key) > 40 or not isinstance(item, str) or len(item) > 500:
            raise StandinError(400, "Metadata keys are at most 40 characters and values at most 500 characters.",
                               param=f"{param}[{key}]")
    return dict(value)


def _is_url(value: str) -> bool:
    split = urllib.parse.urlsplit(value.replace(SESSION_PLACEHOLDER, "x"))
    return split.scheme in ("http", "https") and bool(split.netloc)


def _money(amount: int, currency: str) -> str:
    if currency in ZERO_DECIMAL:
        return f"{currency.upper()} {amount:,}"
    return f"{currency.upper()} {amount // 100:,}.{amount % 100:02d}"


def _html(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>{body}</main>'
            f"</body></html>")


@pytest.fixture()
def stripe_standin():
    """A started StripeStandin for one test (tests/conftest.py offers it to every test)."""
    with StripeStandin() as standin:
        yield standin


