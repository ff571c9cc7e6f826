"""The command center's feed: tokens made and revoked by admins (shown once, stored hashed, audit-logged), and a
feed that refuses a missing, wrong or revoked token and answers what the OpenAPI document promises."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.stats.models import StatsToken

from ..helpers import Client, text_of
from .test_dashboard import A_IDR, A_SEN, B_IDR, B_SEN

SECRET = re.compile(r"srp_stats_[A-Za-z0-9_-]{43}")


def admin(app) -> Client:
    client = Client(app)
    client.login("admin@serumpun.example")
    return client


def make_token(client: Client, name: str = "Bandung Command Center") -> str:
    response = client.post("/admin/stats-tokens", {"name": name})
    assert response.status_code == 200, text_of(response)
    assert response.headers["Cache-Control"] == "no-store"
    found = set(SECRET.findall(response.get_data(as_text=True)))
    assert len(found) == 1
    return found.pop()


def feed(app, authorization: str | None, query: str = ""):
    headers = {"Authorization": authorization} if authorization is not None else {}
    return app.test_client().get("/api/v1/stats" + query, headers=headers)


def audit_rows(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_token_is_shown_once_stored_hashed_and_both_changes_are_audited(app, demo):
    client = admin(app)
    secret = make_token(client)
    with app.app_context():
        token = db.session.scalar(select(StatsToken))
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert token.hint == secret[:14] and token.name == "Bandung Command Center"
        token_id = token.id
    # The list shows who holds it and how it begins, never the token again.
    listing = client.get("/admin/stats-tokens").get_data(as_text=True)
    assert secret not in listing and f"{secret[:14]}…" in listing and "Bandung Command Center" in listing
    created = audit_rows(app, "stats_token.created")
    assert [(e.object_kind, e.object_id, e.after) for e in created] == [
        ("stats_token", str(token_id), {"name": "Bandung Command Center", "hint": secret[:14]})]
    assert created[0].actor_name == "Admin Serumpun <admin@serumpun.example>"
    assert secret not in json.dumps(created[0].after)

    assert feed(app, f"Bearer {secret}").status_code == 200
    revoked = client.post(f"/admin/stats-tokens/{token_id}/revoke")
    assert revoked.status_code == 302
    assert "revoked: the feed refuses it from now on" in text_of(client.get("/admin/stats-tokens"))
    assert feed(app, f"Bearer {secret}").status_code == 401
    entries = audit_rows(app, "stats_token.revoked")
    assert len(entries) == 1 and entries[0].before["revoked_at"] is None and entries[0].after["revoked_at"]
    # Revoking again changes nothing and writes nothing.
    again = client.post(f"/admin/stats-tokens/{token_id}/revoke")
    assert again.status_code == 302 and "This token was revoked already." in text_of(client.get("/admin/stats-tokens"))
    assert len(audit_rows(app, "stats_token.revoked")) == 1
    assert client.post("/admin/stats-tokens/999999/revoke").status_code == 404


def test_a_token_needs_a_name(app, demo):
    client = admin(app)
    response = client.post("/admin/stats-tokens", {"name": "   "})
    assert response.status_code == 400 and "This field is required." in text_of(response)
    with app.app_context():
        assert db.session.scalar(select(StatsToken)) is None
    assert audit_rows(app, "stats_token.created") == []


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Bearer srp_stats_not-a-token", "Basic YWRtaW46c2VydW1wdW4=",
    "Token {secret}", "Bearer {secret}x", "Bearer {upper}", "{secret}",
])
def test_the_feed_refuses_a_missing_or_wrong_token(app, demo, authorization):
    secret = make_token(admin(app))
    response = feed(app, authorization.format(secret=secret, upper=secret.upper()) if authorization else authorization)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="serumpun-stats"')
    assert response.json["error"]["status"] == 401 and response.json["error"]["message"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_scheme_is_case_insensitive_and_the_answer_is_not_cached(app, demo):
    secret = make_token(admin(app))
    response = feed(app, f"bearer {secret}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store" and "Authorization" in response.headers["Vary"]


@pytest.fixture()
def spec(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    validate_spec(document)  # the whole document, the feed included, is valid OpenAPI 3.1
    return document


def validator(spec, schema: str) -> Draft202012Validator:
    registry = Registry().with_resource("urn:serumpun:openapi", Resource.opaque(spec))
    return Draft202012Validator({"$ref": f"urn:serumpun:openapi#/components/schemas/{schema}"}, registry=registry,
                                format_checker=FormatChecker())


def test_the_feed_is_in_the_openapi_document_and_answers_as_it_says(app, trade, spec):
    operation = spec["paths"]["/stats"]["get"]
    assert operation["security"] == [{"statsToken": []}]
    scheme = spec["components"]["securitySchemes"]["statsToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert set(operation["responses"]) == {"200", "400", "401"}
    secret = make_token(admin(app))
    body = feed(app, f"Bearer {secret}", "?since=2026-09-01&until=2026-10-31").json
    errors = [f"{list(e.path)}: {e.message}" for e in validator(spec, "StatsResponse").iter_errors(body)]
    assert not errors, errors[:5]
    assert body["range"] == {"since": "2026-09-01", "until": "2026-10-31", "time_zone": "Asia/Jakarta"}
    assert body["orders"] == {"paid": 3, "placed_by_status": {"paid": 3, "pending_payment": 1}}
    assert body["export_value"]["idr"] == {"amount": A_IDR + B_IDR, "currency": "IDR"}
    assert body["export_value"]["myr"] == {"amount": A_SEN + B_SEN, "currency": "MYR"}
    assert [(m["month"], m["paid_orders"], m["idr"]["amount"], m["myr"]["amount"])
            for m in body["export_value"]["by_month"]] == [("2026-09", 1, A_IDR, A_SEN), ("2026-10", 2, B_IDR, B_SEN)]
    assert [(s["state"], s["name"], s["buyers"]) for s in body["buyers_by_state"]] == [
        ("MY-10", "Selangor", 1), ("MY-14", "Kuala Lumpur", 1)]
    assert body["top_categories"][0]["category"] == "coffee-tea"
    assert body["top_categories"][0]["name"] == {"id": "Kopi dan teh", "en": "Coffee and tea", "ms": "Kopi dan teh"}
    assert body["merchants"] == {"total": 8, "by_verification_status": {
        "unverified": 2, "pending": 1, "verified": 5, "rejected": 0}}
    assert body["exchange_rates"][0]["rate"]["currency"] == "MYR" and body["exchange_rates"][0]["stale"] is True
    # A refusal matches the Error schema too.
    refused = feed(app, "Bearer nope")
    assert not list(validator(spec, "Error").iter_errors(refused.json))


@pytest.mark.parametrize(("query", "parameter"), [
    ("?since=yesterday", "since"), ("?until=2026-13-01", "until"), ("?since=2026-10-02&until=2026-10-01", "until"),
    ("?since=2001-01-01&until=2026-01-01", "since"),
])
def test_a_wrong_range_is_a_400_naming_the_parameter(app, demo, query, parameter):
    secret = make_token(admin(app))
    response = feed(app, f"Bearer {secret}", query)
    assert response.status_code == 400
    assert response.json["error"]["details"][0]["parameter"] == parameter
