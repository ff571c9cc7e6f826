"""JSON API v1: the catalog for partner systems (read-only, open to any origin), and the officers' figures
for a city's command center (a Bearer token)."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, jsonify, request, url_for

from ..catalog import search
from ..catalog import services as catalog
from ..core.cache import cached
from ..core.models import utcnow
from ..core.taxonomy import CATEGORIES
from ..extensions import csrf
from ..orders import quotes as order_quote
from ..rates.currency import request_rates
from ..stats import figures as stats_figures
from ..stats import tokens as stats_tokens
from . import serialize
from .openapi import SCHEMAS, document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
MAX_PER_PAGE = 100
# The keys a quote request may have, read from its schema so that the document and the checks agree.
QUOTE_KEYS = tuple(SCHEMAS["QuoteRequest"]["properties"])
QUOTE_ITEM_KEYS = tuple(SCHEMAS["QuoteRequest"]["properties"]["items"]["items"]["properties"])


@bp.after_request
def read_only_cors(response):
    """Any site may read the catalog; nobody may change anything through a browser from elsewhere."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    response.vary.add("Accept-Language")
    return response


def _json(payload, status: int = 200):
    """JSON with an ETag of its content; a matching If-None-Match gets a 304.

    No Last-Modified: a product's price also moves with the exchange rate and its shop with the
    merchant, so no single timestamp says when the answer last changed; the content's hash does.
    """
    response = jsonify(payload)
    response.status_code = status
    if status == 200:
        response.add_etag()
        response.make_conditional(request)
    return response


def bad_request(problems) -> tuple:
    details = [{"parameter": p.param, "message": str(p.message)} for p in problems]
    message = "; ".join(f"{d['parameter']}: {d['message']}" for d in details)
    return jsonify(error={"status": 400, "title": "Bad request", "message": message, "details": details}), 400


def _per_page() -> tuple[int | None, list]:
    raw = request.args.get("per_page", "24")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PER_PAGE:
        return None, [search.Problem("per_page", f"Use a whole number from 1 to {MAX_PER_PAGE}.")]
    return int(raw), []


@bp.route("/products")
def products():
    """Published products, with the same filters as the products page."""
    filters, problems = search.parse_filters(request.args, "MYR")
    per_page, more = _per_page()
    if problems or more:
        return bad_request(problems + more)
    rates, today = request_rates(), utcnow().date()
    # The query as parsed, in one order and without defaults: what the answer and its links are made of.
    # An unknown parameter or another order of the same ones is the same answer, from the same entry.
    query = filters.query_args(page=False)
    if per_page != search.PER_PAGE:
        query["per_page"] = str(per_page)

    def page() -> dict:
        result = search.search(filters, rates.get("MYR"), today, per_page=per_page)
        links = {"self": url_for("api.products", **query, page=filters.page, _external=True)}
        if filters.page < result.pages:
            links["next"] = url_for("api.products", **query, page=filters.page + 1, _external=True)
        if filters.page > 1:
            links["prev"] = url_for("api.products", **query, page=filters.page - 1, _external=True)
        return {
            "data": [serialize.product(p, rates, today) for p in result.products],
            "meta": {"page": filters.page, "per_page": per_page, "total": result.total, "pages": result.pages,
                     "sort": filters.effective_sort, "estimated": result.estimated,
                     "facets_estimated": result.facets_estimated},
            "facets": {"category": result.category_counts, "flags": result.flag_counts,
                       "ships_within": {str(k): v for k, v in result.ship_counts.items()}},
            "links": links,
        }

    # Partner systems poll the same pages: one answer per query until a listing changes.
    body = cached("api-products", (tuple(query.items()), filters.page, request.host_url,
                                   tuple(sorted(rates.items())), today), page, versions=filters.versions)
    if filters.page > body["meta"]["pages"] and body["meta"]["total"]:
        return bad_request([search.Problem("page", f"There are {body['meta']['pages']} pages.")])
    return _json(body)


@bp.route("/products/<id:product_id>")
def product(product_id: int):
    """One published product."""
    item = catalog.get_published_product(product_id)
    return _json({"data": serialize.product(item, request_rates(), utcnow().date())})


@bp.route("/categories")
def categories():
    """The taxonomy, with names in three languages and how many products each has."""
    counts = search.published_per_category()
    return _json({"data": [
        {"code": code, "name": serialize.names(code), "hs_heading": c.hs_hint or None, "product_count": counts[code]}
        for code, c in CATEGORIES.items()
    ]})


@bp.route("/merchants")
def merchants():
    """Merchants with published products, most products first."""
    rows = catalog.showcase_merchants(limit=500, verified_only=False)
    return _json({"data": [{**serialize.merchant_summary(m), "product_count": n,
                            "categories": m.categories} for m, n in rows]})


@bp.route("/merchants/<slug>")
def merchant(slug: str):
    """One merchant and its published products."""
    item, items = catalog.get_storefront(slug)
    rates, today = request_rates(), utcnow().date()
    return _json({"data": {**serialize.merchant_summary(item), "story": item.story, "categories": item.categories,
                           "products": [serialize.product(p, rates, today) for p in items]}})


@bp.route("/exchange-rates")
def exchange_rates():
    """The rates in force today: rupiah per one unit of each currency."""
    return _json({"data": [serialize.rate(r) for r in request_rates().values()], "base": "IDR"})


@bp.route("/quotes", methods=["POST"])
def quotes():
    """Delivered cost of an order to a Malaysian state: parcels per merchant and a taxed breakdown."""
    body = request.get_json(silent=True)
    problems = []
    if not isinstance(body, dict):
        return bad_request([search.Problem("body", "Send JSON like {\"state\": \"Selangor\", \"items\": "
                                                   "[{\"product_id\": 12, \"quantity\": 3}]}.")])
    # The schema says additionalProperties: false: a misspelt key ("quantitiy") must not pass silently.
    problems += [search.Problem(key, "Unknown property: send only state and items.")
                 for key in body if key not in QUOTE_KEYS]
    state = order_quote.state_code(body.get("state")) if isinstance(body.get("state"), str) else None
    if state is None:
        problems.append(search.Problem("state", "Name a Malaysian state or federal territory, like Selangor or MY-10."))
    items = body.get("items")
    lines = []
    if not isinstance(items, list) or not 1 <= len(items) <= 50:
        problems.append(search.Problem("items", "Send 1 to 50 items."))
    else:
        for index, item in enumerate(items):
            if isinstance(item, dict) and (unknown := [key for key in item if key not in QUOTE_ITEM_KEYS]):
                problems += [search.Problem(f"items[{index}].{key}", "Unknown property: an item has only product_id "
                                                                     "and quantity.") for key in unknown]
                continue
            product_id = item.get("product_id") if isinstance(item, dict) else None
            quantity = item.get("quantity", 1) if isinstance(item, dict) else None
            if not (isinstance(product_id, int) and not isinstance(product_id, bool) and 1 <= product_id < 2**31
                    and isinstance(quantity, int) and not isinstance(quantity, bool) and 1 <= quantity <= 100_000):
                problems.append(search.Problem(f"items[{index}]", "Each item needs a product_id and a quantity "
                                                                  "from 1 to 100000."))
            else:
                lines.append((product_id, quantity))
    if problems:
        return bad_request(problems)
    rate = request_rates().get("MYR")
    try:
        order = order_quote.quote_order(lines, state, rate, utcnow().date())
    except order_quote.QuoteRefused as refusal:
        return bad_request([search.Problem("items", str(refusal.message))])
    response = jsonify(serialize.order_quote(order, rate))
    response.headers["Cache-Control"] = "no-store"
    return response


def _unauthorized(message: str, error: str | None = None):
    """401 with a Bearer challenge (RFC 6750): error="invalid_token" when a token came and was refused."""
    response = jsonify(error={"status": 401, "title": "Unauthorized", "message": message})
    response.status_code = 401
    challenge = 'Bearer realm="serumpun-stats"'
    response.headers["WWW-Authenticate"] = challenge + (f', error="{error}"' if error else "")
    response.headers["Cache-Control"] = "no-store"
    return response


def _day(name: str) -> tuple[date | None, list]:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None, []
    try:
        return date.fromisoformat(raw), []
    except ValueError:
        return None, [search.Problem(name, "Use a date like 2026-07-31.")]


@bp.route("/stats")
def stats():
    """The officers' figures for a range of days (the last six months unless since/until say otherwise)."""
    scheme, _, secret = request.headers.get("Authorization", "").strip().partition(" ")
    if not scheme:
        return _unauthorized("Send a token: Authorization: Bearer <token>. An admin makes one at /admin/stats-tokens.")
    if scheme.lower() != "bearer" or stats_tokens.token_for(secret.strip()) is None:
        return _unauthorized("This token is not valid: it is wrong, or it was revoked.", "invalid_token")
    since, problems = _day("since")
    until, more = _day("until")
    if problems or more:
        return bad_request(problems + more)
    zone_name = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    zone, now = ZoneInfo(zone_name), utcnow()
    default = stats_figures.default_range(stats_figures.local_today(now, zone))
    days = stats_figures.DayRange(since or default.since, until or default.until)
    try:
        figures = stats_figures.figures(days, zone, now.date(), current_app.config["RATE_STALE_DAYS"])
    except stats_figures.RangeRefused as refusal:
        return bad_request([search.Problem(refusal.field or "since", str(refusal.message))])
    response = jsonify(serialize.stats(figures, zone_name, now))
    response.headers["Cache-Control"] = "no-store"  # for the token's holder only, and figures move with every sale
    response.vary.add("Authorization")
    return response


@bp.route("/openapi.json")
def openapi():
    """This API, described in OpenAPI 3.1."""
    return _json(document(request.host_url.rstrip("/")))


def register(app: Flask) -> None:
    """The JSON API v1."""
    app.register_blueprint(bp)
