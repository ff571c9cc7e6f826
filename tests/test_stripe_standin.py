"""The Stripe stand-in, checked with the real stripe library: if these hold, code that works against the
stand-in sends what Stripe expects and reads what Stripe answers."""
from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from .stripe_standin import (
    API_KEY,
    WEBHOOK_SECRET,
    StripeStandin,
    event_for,
    parse_form,
    signed,
)

SUCCESS = "http://shop.test/checkout/done?session={CHECKOUT_SESSION_ID}"
CANCEL = "http://shop.test/checkout/cancelled"


def params(**changes) -> dict:
    base = {
        "mode": "payment",
        "success_url": SUCCESS,
        "cancel_url": CANCEL,
        "client_reference_id": "SRP-000042",
        "metadata": {"order_id": "42"},
        "payment_method_types": ["card", "fpx"],
        "line_items": [
            {"quantity": 2, "price_data": {"currency": "myr", "unit_amount": 2550,
                                           "product_data": {"name": "Kopi Preanger 250 g"}}},
            {"quantity": 1, "price_data": {"currency": "myr", "unit_amount": 1800,
                                           "product_data": {"name": "Shipping: EMS to Selangor"}}},
        ],
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def raw(url: str, method: str = "GET", body: str | None = None, headers: dict | None = None):
    """One HTTP exchange without following redirects, as a browser's first hop."""
    split = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(split.netloc, timeout=10)
    connection.request(method, split.path + (f"?{split.query}" if split.query else ""), body=body,
                       headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read().decode()
    connection.close()
    return result


class Receiver:
    """A webhook endpoint on its own port that verifies each event as our webhook will."""

    def __init__(self, status: int = 200):
        self.events, self.errors, self.status = [], [], status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    receiver.events.append(stripe.Webhook.construct_event(
                        body, self.headers.get("Stripe-Signature"), WEBHOOK_SECRET))
                except stripe.SignatureVerificationError as error:
                    receiver.errors.append(error)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/stripe"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


# --- the API through stripe.StripeClient ------------------------------------------------------------------

def test_create_answers_a_checkout_session_in_stripes_shape(stripe_standin):
    client = stripe_standin.client()
    before = int(time.time())
    session = client.v1.checkout.sessions.create(params=params(), options={"idempotency_key": "order-42-try-1"})

    assert isinstance(session, stripe.checkout.Session)
    assert session.id.startswith("cs_test_") and session.object == "checkout.session"
    assert session.amount_total == session.amount_subtotal == 2 * 2550 + 1800
    assert session.currency == "myr" and session.mode == "payment" and session.livemode is False
    assert session.client_reference_id == "SRP-000042" and session.metadata.to_dict() == {"order_id": "42"}
    assert session.payment_method_types == ["card", "fpx"]
    assert (session.status, session.payment_status, session.payment_intent) == ("open", "unpaid", None)
    assert session.success_url == SUCCESS and session.cancel_url == CANCEL
    assert before + 24 * 3600 <= session.expires_at <= int(time.time()) + 24 * 3600  # Stripe's default
    assert session.url == f"{stripe_standin.url}/pay/{session.id}"

    sent = stripe_standin.requests_to("/v1/checkout/sessions", "POST")[-1]
    assert sent.idempotency_key == "order-42-try-1"
    assert sent.stripe_version == stripe.api_version
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert sent.params["line_items"][0] == {"quantity": "2", "price_data": {
        "currency": "myr", "unit_amount": "2550", "product_data": {"name": "Kopi Preanger 250 g"}}}


def test_the_same_idempotency_key_replays_and_refuses_other_parameters(stripe_standin):
    client = stripe_standin.client()
    first = client.v1.checkout.sessions.create(params=params(), options={"idempotency_key": "order-42"})
    again = client.v1.checkout.sessions.create(params=params(), options={"idempotency_key": "order-42"})
    assert again.id == first.id and len(stripe_standin.sessions) == 1
    assert stripe_standin.requests[-1].response == stripe_standin.requests[-2].response

    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        client.v1.checkout.sessions.create(params=params(client_reference_id="SRP-000043"),
                                           options={"idempotency_key": "order-42"})
    with pytest.raises(stripe.IdempotencyError, match="same endpoint"):
        client.v1.checkout.sessions.expire(first.id, options={"idempotency_key": "order-42"})
    other = client.v1.checkout.sessions.create(params=params(), options={"idempotency_key": "order-42-b"})
    assert other.id != first.id and len(stripe_standin.sessions) == 2


def test_refused_parameters_are_not_remembered_under_their_key(stripe_standin):
    client = stripe_standin.client()
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.create(params=params(line_items=[]), options={"idempotency_key": "k"})
    assert client.v1.checkout.sessions.create(params=params(), options={"idempotency_key": "k"}).status == "open"


def test_retrieve_and_expand_line_items(stripe_standin):
    client = stripe_standin.client()
    created = client.v1.checkout.sessions.create(params=params())
    session = client.v1.checkout.sessions.retrieve(created.id)
    assert session.to_dict() == created.to_dict() and "line_items" not in session
    expanded = client.v1.checkout.sessions.retrieve(created.id, params={"expand": ["line_items"]})
    assert [(i.description, i.quantity, i.amount_total, i.price.unit_amount) for i in expanded.line_items.data] == [
        ("Kopi Preanger 250 g", 2, 5100, 2550), ("Shipping: EMS to Selangor", 1, 1800, 1800)]
    assert stripe_standin.requests[-1].params == {"expand": ["line_items"]}

    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.checkout.sessions.retrieve("cs_test_nothing")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"


def test_expire_closes_an_open_session_and_queues_the_event(stripe_standin, receiver):
    stripe_standin.webhook = receiver.url
    client = stripe_standin.client()
    session = client.v1.checkout.sessions.create(params=params())
    expired = client.v1.checkout.sessions.expire(session.id, options={"idempotency_key": "expire-42"})
    assert (expired.status, expired.url) == ("expired", None)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    with pytest.raises(stripe.InvalidRequestError, match="can be expired"):
        client.v1.checkout.sessions.expire(session.id)

    # Stripe sends the event after it answered: it waits until the test lets it go.
    assert receiver.events == [] and [e["type"] for e in stripe_standin.pending] == ["checkout.session.expired"]
    assert stripe_standin.pending[0]["request"]["idempotency_key"] == "expire-42"
    [delivery] = stripe_standin.deliver_pending()
    assert delivery.ok and receiver.events[0].type == "checkout.session.expired"
    assert receiver.events[0].data.object.id == session.id and stripe_standin.pending == []


def test_a_wrong_or_missing_key_is_refused_as_stripe_refuses_it(stripe_standin):
    wrong = stripe.StripeClient("sk_test_not_ours", base_addresses=stripe_standin.base_addresses,
                                max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError, match="Invalid API Key"):
        wrong.v1.checkout.sessions.create(params=params())
    status, _, body = raw(f"{stripe_standin.url}/v1/checkout/sessions/cs_test_x")
    assert status == 401
    assert json.loads(body)["error"]["type"] == "invalid_request_error"
    assert "did not provide an API key" in json.loads(body)["error"]["message"]
    assert stripe_standin.sessions == {}


@pytest.mark.parametrize(("changes", "param", "message"), [
    ({"mode": None}, "mode", "Missing required param"),
    ({"line_items": None}, "line_items", "at least one line item"),
    ({"success_url": "not a url"}, "success_url", "Not a valid URL"),
    ({"colour": "red"}, "colour", "unknown parameter"),
    ({"expires_at": int(time.time()) + 10 * 60}, "expires_at", "at least 30 minutes"),
    ({"expires_at": int(time.time()) + 25 * 3600}, "expires_at", "less than 24 hours"),
    ({"payment_method_types": ["fpx"], "line_items": [
        {"quantity": 1, "price_data": {"currency": "sgd", "unit_amount": 500, "product_data": {"name": "x"}}}]},
     "payment_method_types", "fpx"),
    ({"line_items": [{"quantity": 1, "price_data": {"currency": "MYR", "unit_amount": 500,
                                                    "product_data": {"name": "x"}}}]},
     "line_items[0][price_data][currency]", "lowercase"),
    ({"line_items": [{"quantity": 1, "price_data": {"currency": "myr", "unit_amount": -5,
                                                    "product_data": {"name": "x"}}}]},
     "line_items[0][price_data][unit_amount]", "greater than or equal to 0"),
    ({"line_items": [{"quantity": 1, "price_data": {"currency": "myr", "unit_amount": "12.50",
                                                    "product_data": {"name": "x"}}}]},
     "line_items[0][price_data][unit_amount]", "Invalid integer"),
    ({"line_items": [{"quantity": 0, "price_data": {"currency": "myr", "unit_amount": 500,
                                                    "product_data": {"name": "x"}}}]},
     "line_items[0][quantity]", "greater than or equal to 1"),
    ({"line_items": [{"quantity": 1, "price_data": {"currency": "myr", "unit_amount": 500}}]},
     "line_items[0][price_data][product_data][name]", "Missing required param"),
    ({"line_items": [{"quantity": 1, "price_data": {"currency": "myr", "unit_amount": 150,
                                                    "product_data": {"name": "x"}}}]},
     "line_items", "at least MYR 2.00"),
    ({"line_items": [
        {"quantity": 1, "price_data": {"currency": "myr", "unit_amount": 500, "product_data": {"name": "x"}}},
        {"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 500, "product_data": {"name": "y"}}}]},
     "line_items[1][price_data][currency]", "same currency"),
])
def test_bad_parameters_are_refused_with_stripes_error_and_create_nothing(stripe_standin, changes, param, message):
    with pytest.raises(stripe.InvalidRequestError, match=message) as refused:
        stripe_standin.client().v1.checkout.sessions.create(params=params(**changes))
    assert refused.value.http_status == 400 and refused.value.param == param
    assert refused.value.error.type == "invalid_request_error"
    assert stripe_standin.sessions == {}


def test_a_failure_can_be_staged_for_the_next_request(stripe_standin):
    client = stripe_standin.client()
    stripe_standin.fail_next(500, "Stripe is having a bad day")
    with pytest.raises(stripe.APIError, match="bad day"):
        client.v1.checkout.sessions.create(params=params(), options={"idempotency_key": "retry-me"})
    assert client.v1.checkout.sessions.create(params=params(), options={"idempotency_key": "retry-me"}).id


def test_unknown_urls_answer_like_stripe(stripe_standin):
    status, _, body = raw(f"{stripe_standin.url}/v1/charges", headers={"Authorization": f"Bearer {API_KEY}"})
    assert status == 404 and "Unrecognized request URL (GET: /v1/charges)" in json.loads(body)["error"]["message"]


# --- the hosted page ------------------------------------------------------------------------------------

def test_paying_on_the_page_sends_a_signed_completed_event_then_returns_to_the_shop(stripe_standin, receiver):
    stripe_standin.webhook = receiver.url
    session = stripe_standin.client().v1.checkout.sessions.create(params=params())
    status, _, page = raw(session.url)
    assert status == 200 and "MYR 69.00" in page and "Kopi Preanger 250 g" in page
    assert 'value="pay"' in page and 'value="cancel"' in page

    status, headers, _ = raw(session.url, "POST", "action=pay")
    assert status == 303 and headers["Location"] == f"http://shop.test/checkout/done?session={session.id}"
    [event] = receiver.events  # delivered before the redirect, verified by stripe.Webhook.construct_event
    assert receiver.errors == [] and stripe_standin.deliveries[-1].status == 200
    assert (event.type, event.object, event.livemode, event.api_version) == (
        "checkout.session.completed", "event", False, stripe.api_version)
    assert event.id.startswith("evt_") and event.pending_webhooks == 1
    paid = event.data.object
    assert (paid.id, paid.status, paid.payment_status, paid.url) == (session.id, "complete", "paid", None)
    assert paid.payment_intent.startswith("pi_") and paid.metadata.order_id == "42"
    assert stripe_standin.client().v1.checkout.sessions.retrieve(session.id).payment_status == "paid"

    status, _, page = raw(session.url)
    assert "complete" in page and 'value="pay"' not in page
    assert raw(session.url, "POST", "action=pay")[0] == 409 and len(receiver.events) == 1


def test_cancel_returns_to_the_shop_and_leaves_the_session_open(stripe_standin, receiver):
    stripe_standin.webhook = receiver.url
    session = stripe_standin.client().v1.checkout.sessions.create(params=params())
    status, headers, _ = raw(session.url, "POST", "action=cancel")
    assert (status, headers["Location"]) == (303, CANCEL)
    assert stripe_standin.session(session.id)["status"] == "open" and receiver.events == []


def test_the_buyer_can_be_back_before_the_webhook(receiver):
    with StripeStandin(webhook=receiver.url, auto_deliver=False) as fake:
        session = fake.client().v1.checkout.sessions.create(params=params())
        assert raw(session.url, "POST", "action=pay")[0] == 303
        assert receiver.events == [] and [e["type"] for e in fake.pending] == ["checkout.session.completed"]
        fake.deliver_pending()
        fake.deliver(fake.events[-1])  # Stripe may send the same event twice
        assert [e.id for e in receiver.events] == [fake.events[-1]["id"]] * 2


def test_a_delayed_payment_completes_unpaid_then_succeeds_or_fails(receiver):
    with StripeStandin(webhook=receiver.url, delayed_payment=True) as fake:
        client = fake.client()
        good = client.v1.checkout.sessions.create(params=params())
        bad = client.v1.checkout.sessions.create(params=params())
        for session in (good, bad):
            raw(session.url, "POST", "action=pay")
        assert [(e.type, e.data.object.payment_status) for e in receiver.events] == [
            ("checkout.session.completed", "unpaid")] * 2
        fake.async_payment_succeeded(good.id)
        fake.async_payment_failed(bad.id)
        assert [(e.type, e.data.object.status, e.data.object.payment_status) for e in receiver.events[2:]] == [
            ("checkout.session.async_payment_succeeded", "complete", "paid"),
            ("checkout.session.async_payment_failed", "complete", "unpaid")]
        with pytest.raises(Exception, match="unpaid"):
            fake.async_payment_succeeded(good.id)  # already paid


def test_a_session_past_its_expiry_is_expired_when_next_seen():
    now = [1_900_000_000]
    with StripeStandin(clock=lambda: now[0]) as fake:
        client = fake.client()
        session = client.v1.checkout.sessions.create(params=params(expires_at=now[0] + 3600))
        now[0] += 3600
        assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
        assert [(e["type"], e["created"]) for e in fake.pending] == [("checkout.session.expired", now[0])]
        assert "expired" in raw(session.url)[2]


def test_helpers_drive_sessions_made_without_http(stripe_standin):
    deliveries = []
    stripe_standin.webhook = lambda body, headers: deliveries.append((body, headers)) or 200
    session = stripe_standin.create_session(**params())
    event = stripe_standin.expire(session["id"])
    assert event["type"] == "checkout.session.expired" and event["data"]["object"]["status"] == "expired"
    [(body, headers)] = deliveries
    assert stripe.Webhook.construct_event(body, headers["Stripe-Signature"], WEBHOOK_SECRET).id == event["id"]
    assert stripe_standin.client().v1.events.retrieve(event["id"]).type == "checkout.session.expired"


# --- signatures ---------------------------------------------------------------------------------------

def test_signed_events_verify_and_tampering_or_staleness_does_not(stripe_standin):
    session = stripe_standin.create_session(**params())
    event = event_for(session, "checkout.session.completed")
    assert set(event) == {"id", "object", "api_version", "created", "data", "livemode", "pending_webhooks",
                          "request", "type"}
    body, header = signed(event, WEBHOOK_SECRET)
    assert header.startswith("t=") and ",v1=" in header
    verified = stripe.Webhook.construct_event(body, header, WEBHOOK_SECRET)
    assert verified.id == event["id"] and verified.data.object.id == session["id"]

    tampered = body.replace(b'"amount_total": 6900', b'"amount_total": 1')
    assert tampered != body
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, header, WEBHOOK_SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, "whsec_someone_else")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, None, WEBHOOK_SECRET)
    stale_body, stale_header = signed(event, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(stale_body, stale_header, WEBHOOK_SECRET)


def test_a_webhook_that_fails_is_recorded_and_can_be_sent_again(stripe_standin):
    failing = Receiver(status=500)
    try:
        stripe_standin.webhook = failing.url
        session = stripe_standin.create_session(**params())
        event = stripe_standin.pay(session["id"])
        assert stripe_standin.deliveries[-1].status == 500 and not stripe_standin.deliveries[-1].ok
        failing.status = 200
        assert stripe_standin.deliver(event).ok and len(failing.events) == 2
    finally:
        failing.close()
    stripe_standin.webhook = "http://127.0.0.1:9/nothing-listens"
    delivery = stripe_standin.deliver(event)
    assert delivery.status is None and delivery.error


def test_parse_form_reads_stripes_bracket_notation():
    assert parse_form([("a", "1"), ("b[c]", "2"), ("d[0][e]", "3"), ("d[1][e]", "4"), ("f[]", "x"), ("f[]", "y"),
                       ("g[10]", "ten"), ("g[2]", "two")]) == {
        "a": "1", "b": {"c": "2"}, "d": [{"e": "3"}, {"e": "4"}], "f": ["x", "y"], "g": ["two", "ten"]}
