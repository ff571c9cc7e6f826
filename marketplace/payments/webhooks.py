"""Webhooks: what payment providers tell us, verified on the raw body, recorded once, acted on in one transaction."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, jsonify, request

from ..core.unit_of_work import unit_of_work
from ..extensions import csrf
from .providers import stripe as stripe_checkout

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.route("/stripe", methods=["POST"])
@csrf.exempt  # Stripe signs its requests instead; this route only
def stripe_events():
    """Stripe reports a Checkout Session's news: 400 and nothing changed unless the signature verifies."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        abort(404)
    raw = request.get_data()  # the exact bytes Stripe signed, before anything parses them
    try:
        event = stripe_checkout.verify_event(raw, request.headers.get("Stripe-Signature"), secret)
    except stripe_checkout.InvalidEvent as error:
        log.warning("Refused a Stripe webhook from %s: %s", request.remote_addr, error)
        return jsonify(error={"status": 400, "message": "The signature of this event does not verify."}), 400
    with unit_of_work(capture=False):
        outcome = stripe_checkout.handle_event(event)
    log.info("Stripe event %s (%s): %s", event.get("id"), event.get("type"), outcome)
    return jsonify(received=True)
