"""The OpenAPI 3.1 document of API v1. Tests validate every response against these schemas."""
from __future__ import annotations

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


SCHEMAS = {
    "Money": {
        "type": "object", "required": ["amount", "currency"], "additionalProperties": False,
        "description": "An amount in minor units of its currency (sen for MYR, whole rupiah for IDR).",
        "properties": {"amount": {"type": "integer"}, "currency": {"type": "string", "enum": ["IDR", "MYR", "SGD", "USD"]}},
    },
    "Price": {
        "type": "object", "required": ["idr"], "additionalProperties": False,
        "description": "The rupiah price, and the ringgit price at the exchange rate in force (when there is one).",
        "properties": {"idr": ref("Money"), "myr": ref("Money")},
    },
    "Rate": {
        "type": "object", "required": ["currency", "idr_per_unit", "effective_on", "source"], "additionalProperties": False,
        "properties": {
            "currency": {"type": "string", "enum": ["MYR", "SGD", "USD"]},
            "idr_per_unit": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$",
                             "description": "Rupiah per one unit, as an exact decimal string."},
            "effective_on": {"type": "string", "format": "date"},
            "source": {"type": "string"},
        },
    },
    "LocalizedText": {
        "type": "object", "required": ["id", "en"], "additionalProperties": False,
        "properties": {"id": NULLABLE_STRING, "en": NULLABLE_STRING, "ms": NULLABLE_STRING},
    },
    "MerchantSummary": {
        "type": "object", "required": ["slug", "name", "kecamatan", "city", "verified", "url"],
        "properties": {
            "slug": {"type": "string"}, "name": {"type": "string"}, "kecamatan": {"type": "string"},
            "city": {"type": "string"}, "verified": {"type": "boolean"}, "url": {"type": "string", "format": "uri"},
            "product_count": {"type": "integer", "minimum": 0},
            "categories": {"type": "array", "items": {"type": "string"}},
            "story": NULLABLE_STRING,
            "products": {"type": "array", "items": ref("Product")},
        },
    },
    "Image": {
        "type": "object", "required": ["alt", "variants"], "additionalProperties": False,
        "properties": {
            "alt": {"type": "string"},
            "variants": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["width", "height", "webp", "jpeg"], "additionalProperties": False,
                "properties": {"width": {"type": "integer", "minimum": 1}, "height": {"type": "integer", "minimum": 1},
                               "webp": {"type": "string", "format": "uri"}, "jpeg": {"type": "string", "format": "uri"}},
            }},
        },
    },
    "Product": {
        "type": "object",
        "required": ["id", "sku", "url", "name", "description", "category", "hs_code", "hs", "price", "moq", "tiers",
                     "stock_status", "made_to_order_days", "packed_weight_g", "box", "packaging", "certifications",
                     "merchant", "images", "published_at", "updated_at"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"}, "sku": {"type": "string"}, "url": {"type": "string", "format": "uri"},
            "name": ref("LocalizedText"), "description": ref("LocalizedText"),
            "category": {"type": "string"},
            "hs_code": {"type": ["string", "null"], "pattern": "^[0-9]{6}$"},
            "hs": nullable({"type": "object", "required": ["code", "chapter", "chapter_name"],
                            "properties": {"code": {"type": "string"}, "chapter": {"type": "string"},
                                           "chapter_name": {"type": "string"}}}),
            "price": ref("Price"),
            "moq": {"type": "integer", "minimum": 1},
            "tiers": {"type": "array", "items": {
                "type": "object", "required": ["min_quantity", "unit_price"], "additionalProperties": False,
                "properties": {"min_quantity": {"type": "integer", "minimum": 2}, "unit_price": ref("Price")}}},
            "stock_status": {"type": "string", "enum": ["in_stock", "out_of_stock", "made_to_order"]},
            "made_to_order_days": NULLABLE_INT,
            "packed_weight_g": NULLABLE_INT,
            "box": nullable({"type": "object", "required": ["length_mm", "width_mm", "height_mm"],
                             "additionalProperties": False,
                             "properties": {"length_mm": {"type": "integer"}, "width_mm": {"type": "integer"},
                                            "height_mm": {"type": "integer"}}}),
            "packaging": {"type": "object", "properties": {
                "net_content": NULLABLE_INT, "net_content_unit": NULLABLE_STRING, "units_per_carton": NULLABLE_INT,
                "material": NULLABLE_STRING, "recyclable": {"type": "boolean"}, "plastic_free": {"type": "boolean"},
                "shelf_life_days": NULLABLE_INT, "label_languages": {"type": "array", "items": {"type": "string"}}}},
            "certifications": {"type": "object", "required": ["halal", "food_registration", "npra_notification"],
                               "properties": {
                "halal": nullable({"type": "object", "required": ["body", "number", "expires_on", "valid"],
                                   "properties": {"body": NULLABLE_STRING, "number": {"type": "string"},
                                                  "expires_on": {"type": ["string", "null"], "format": "date"},
                                                  "valid": {"type": "boolean",
                                                            "description": "True while the certificate is in force."}}}),
                "food_registration": nullable({"type": "object", "required": ["kind", "number"], "properties": {
                    "kind": {"type": "string", "enum": ["BPOM MD", "P-IRT"]}, "number": NULLABLE_STRING}}),
                "npra_notification": NULLABLE_STRING}},
            "merchant": ref("MerchantSummary"),
            "images": {"type": "array", "items": ref("Image")},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "ProductList": {
        "type": "object", "required": ["data", "meta", "facets", "links"],
        "properties": {
            "data": {"type": "array", "items": ref("Product")},
            "meta": {"type": "object", "required": ["page", "per_page", "total", "pages", "sort", "estimated", "facets_estimated"], "properties": {
                "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                "total": {"type": "integer", "minimum": 0}, "pages": {"type": "integer", "minimum": 1},
                "estimated": {"type": "boolean", "description": (
                    "true when total is an estimate, rounded to two significant figures (a search matching "
                    "more than 1,000 products on PostgreSQL)")},
                "facets_estimated": {"type": "boolean", "description": "true when the facet counts are estimates"},
                "sort": {"type": "string", "enum": ["relevance", "newest", "price_asc", "price_desc"]}}},
            "facets": {"type": "object", "required": ["category", "flags", "ships_within"], "properties": {
                "category": {"type": "object", "additionalProperties": {"type": "integer"}},
                "flags": {"type": "object", "additionalProperties": {"type": "integer"}},
                "ships_within": {"type": "object", "additionalProperties": {"type": "integer"}}}},
            "links": {"type": "object", "required": ["self"], "properties": {
                "self": {"type": "string"}, "next": {"type": "string"}, "prev": {"type": "string"}}},
        },
    },
    "ProductResponse": {"type": "object", "required": ["data"], "properties": {"data": ref("Product")}},
    "Category": {
        "type": "object", "required": ["code", "name", "hs_heading", "product_count"], "additionalProperties": False,
        "properties": {"code": {"type": "string"}, "name": ref("LocalizedText"), "hs_heading": NULLABLE_STRING,
                       "product_count": {"type": "integer", "minimum": 0}},
    },
    "CategoryList": {"type": "object", "required": ["data"],
                     "properties": {"data": {"type": "array", "items": ref("Category")}}},
    "MerchantList": {"type": "object", "required": ["data"],
                     "properties": {"data": {"type": "array", "items": ref("MerchantSummary")}}},
    "MerchantResponse": {"type": "object", "required": ["data"], "properties": {"data": ref("MerchantSummary")}},
    "RateList": {"type": "object", "required": ["data", "base"], "properties": {
        "data": {"type": "array", "items": ref("Rate")}, "base": {"type": "string", "const": "IDR"}}},
    "QuoteRequest": {
        "type": "object", "required": ["state", "items"], "additionalProperties": False,
        "properties": {
            "state": {"type": "string", "description": "A Malaysian state or federal territory: Selangor, Sabah, MY-10..."},
            "items": {"type": "array", "minItems": 1, "maxItems": 50, "items": {
                "type": "object", "required": ["product_id"], "additionalProperties": False,
                "properties": {"product_id": {"type": "integer", "minimum": 1},
                               "quantity": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}}}},
        },
    },
    "BreakdownLine": {
        "type": "object", "required": ["amount", "currency", "rule"],
        "properties": {"amount": {"type": "integer", "minimum": 0}, "currency": {"const": "MYR"},
                       "rule": nullable({"type": "object", "required": ["key", "effective_on", "source"], "properties": {
                           "key": {"type": "string"}, "effective_on": {"type": "string", "format": "date"},
                           "source": {"type": "string"}}})},
    },
    "Breakdown": {
        "type": "object", "description": "An estimate: each amount names the rule and date it used.",
        "required": ["goods", "shipping", "lvg_sales_tax", "import_duty", "import_sales_tax", "total", "estimate",
                     "lvg_registration_number"],
        "properties": {
            "goods": ref("BreakdownLine"), "shipping": ref("BreakdownLine"),
            "lvg_sales_tax": ref("BreakdownLine"), "import_duty": ref("BreakdownLine"),
            "import_sales_tax": ref("BreakdownLine"), "total": ref("Money"),
            "estimate": {"const": True}, "lvg_registration_number": NULLABLE_STRING,
            "shipping_service": {"type": "string"}},
    },
    "Declaration": {
        "type": "object", "additionalProperties": False,
        "required": ["boxes", "form", "category", "lines", "weight_g", "value", "postage", "lvg_registration_number",
                     "certificate_of_origin", "rule"],
        "properties": {
            "boxes": {"type": "integer", "minimum": 1, "description": "How many identical boxes carry this declaration."},
            "form": {"enum": ["CN22", "CN23"]}, "category": {"const": "sale_of_goods"},
            "lines": {"type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": False,
                "required": ["description", "hs_code", "quantity", "weight_g", "value", "origin", "lvg_taxed"],
                "properties": {
                    "description": {"type": "string", "maxLength": 60}, "hs_code": {"type": "string", "pattern": "^[0-9]{6}$"},
                    "quantity": {"type": "integer", "minimum": 1}, "weight_g": {"type": "integer", "minimum": 0},
                    "value": ref("Money"), "origin": {"const": "ID"},
                    "lvg_taxed": {"type": "boolean", "description": "LVG sales tax collected by Serumpun on this line."}}}},
            "weight_g": {"type": "integer", "minimum": 0}, "value": ref("Money"), "postage": ref("Money"),
            "lvg_registration_number": {**NULLABLE_STRING, "description": "Serumpun's LVG registration, when a line was taxed as LVG."},
            "certificate_of_origin": {"enum": ["Form D", None]},
            "rule": {"type": "object", "required": ["key", "effective_on", "source"], "properties": {
                "key": {"type": "string"}, "effective_on": {"type": "string", "format": "date"},
                "source": {"type": "string"}}}},
    },
    "QuoteResponse": {
        "type": "object", "required": ["state", "parcels", "breakdown", "exchange_rate"],
        "properties": {
            "state": {"type": "object", "required": ["code", "name", "zone"], "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "zone": {"enum": ["west", "east"]}}},
            "parcels": {"type": "array", "items": {
                "type": "object", "required": ["merchant", "actual_weight_g", "services", "refused", "cheapest"],
                "properties": {
                    "merchant": ref("MerchantSummary"),
                    "actual_weight_g": {"type": "integer", "minimum": 0},
                    "services": {"type": "array", "items": {
                        "type": "object",
                        "required": ["code", "name", "level", "parcels", "chargeable_weight_g", "price", "transit_days"],
                        "properties": {
                            "code": {"type": "string"}, "name": {"type": "string"}, "level": {"type": "string"},
                            "parcels": {"type": "integer", "minimum": 1},
                            "chargeable_weight_g": {"type": "integer", "minimum": 1},
                            "price": ref("Price"),
                            "transit_days": {"type": "object", "required": ["min", "max"], "properties": {
                                "min": {"type": "integer"}, "max": {"type": "integer"}}}}}},
                    "refused": {"type": "array", "items": {"type": "object", "required": ["code", "reason"], "properties": {
                        "code": {"type": "string"},
                        "reason": {"enum": ["too_heavy_item", "too_long", "too_big", "no_rate"]}}}},
                    "cheapest": NULLABLE_STRING,
                    "breakdown": nullable(ref("Breakdown")),
                    "declarations": {"type": "array", "items": ref("Declaration"),
                                     "description": "CN22 / CN23 data for each kind of box of the cheapest service."}}}},
            "breakdown": ref("Breakdown"),
            "exchange_rate": ref("Rate"),
        },
    },
    "BothCurrencies": {
        "type": "object", "required": ["idr", "myr"],
        "description": "An export value in rupiah (as sold) and in ringgit (at each order's own rate).",
        "properties": {"idr": ref("Money"), "myr": ref("Money")},
    },
    "StatsResponse": {
        "type": "object",
        "required": ["range", "generated_at", "merchants", "products", "orders", "buyers", "export_value",
                     "top_categories", "buyers_by_state", "exchange_rates"],
        "additionalProperties": False,
        "description": "The officers' figures for a range of days. Export value is the goods of paid orders as "
                       "sold, without shipping and Malaysian taxes, leaving out parcels cancelled or refunded; an "
                       "order counts in the month it was paid. Merchants, published products and exchange rates "
                       "are as they stand now.",
        "properties": {
            "range": {"type": "object", "required": ["since", "until", "time_zone"], "additionalProperties": False,
                      "properties": {"since": {"type": "string", "format": "date"},
                                     "until": {"type": "string", "format": "date", "description": "Included."},
                                     "time_zone": {"type": "string", "description": "Whose days these are."}}},
            "generated_at": {"type": "string", "format": "date-time"},
            "merchants": {"type": "object", "required": ["total", "by_verification_status"],
                          "additionalProperties": False, "properties": {
                              "total": {"type": "integer", "minimum": 0},
                              "by_verification_status": {
                                  "type": "object", "additionalProperties": False,
                                  "required": ["unverified", "pending", "verified", "rejected"],
                                  "properties": {k: {"type": "integer", "minimum": 0}
                                                 for k in ("unverified", "pending", "verified", "rejected")}}}},
            "products": {"type": "object", "required": ["published"], "additionalProperties": False,
                         "properties": {"published": {"type": "integer", "minimum": 0,
                                                      "description": "Listed for buyers now."}}},
            "orders": {"type": "object", "required": ["paid", "placed_by_status"], "additionalProperties": False,
                       "properties": {
                           "paid": {"type": "integer", "minimum": 0, "description": "Orders paid in the range."},
                           "placed_by_status": {
                               "type": "object", "additionalProperties": False,
                               "description": "Orders placed in the range, by where they stand now.",
                               "properties": {k: {"type": "integer", "minimum": 1}
                                              for k in ("pending_payment", "paid", "cancelled", "expired")}}}},
            "buyers": {"type": "object", "required": ["with_paid_orders"], "additionalProperties": False,
                       "properties": {"with_paid_orders": {"type": "integer", "minimum": 0}}},
            "export_value": {
                "type": "object", "required": ["idr", "myr", "by_month"],
                "properties": {
                    "idr": ref("Money"), "myr": ref("Money"),
                    "by_month": {"type": "array", "description": "Every month the range touches, in order.",
                                 "items": {"type": "object", "required": ["month", "paid_orders", "idr", "myr"],
                                           "additionalProperties": False, "properties": {
                                               "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                                               "paid_orders": {"type": "integer", "minimum": 0},
                                               "idr": ref("Money"), "myr": ref("Money")}}}}},
            "top_categories": {"type": "array", "description": "By export value, then by products listed.",
                               "items": {"type": "object", "additionalProperties": False,
                                         "required": ["category", "name", "published_products", "units", "idr", "myr"],
                                         "properties": {
                                             "category": {**NULLABLE_STRING,
                                                          "description": "null: products deleted since they sold."},
                                             "name": nullable(ref("LocalizedText")),
                                             "published_products": {"type": "integer", "minimum": 0},
                                             "units": {"type": "integer", "minimum": 0},
                                             "idr": ref("Money"), "myr": ref("Money")}}},
            "buyers_by_state": {"type": "array", "description": "The states paid orders went to, by export value.",
                                "items": {"type": "object", "additionalProperties": False,
                                          "required": ["state", "name", "buyers", "paid_orders", "idr", "myr"],
                                          "properties": {
                                              "state": {"type": "string", "pattern": "^MY-[0-9]{2}$"},
                                              "name": {"type": "string"},
                                              "buyers": {"type": "integer", "minimum": 0},
                                              "paid_orders": {"type": "integer", "minimum": 1},
                                              "idr": ref("Money"), "myr": ref("Money")}}},
            "exchange_rates": {"type": "array", "items": {
                "type": "object", "required": ["rate", "age_days", "stale"], "additionalProperties": False,
                "properties": {"rate": ref("Rate"), "age_days": {"type": "integer"},
                               "stale": {"type": "boolean",
                                         "description": "Older than the days the site allows (7 unless set)."}}}},
        },
    },
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["status", "title", "message"], "properties": {
            "status": {"type": "integer"}, "title": {"type": "string"}, "message": {"type": "string"},
            "details": {"type": "array", "items": {"type": "object", "required": ["parameter", "message"],
                                                   "properties": {"parameter": {"type": "string"},
                                                                  "message": {"type": "string"}}}}}}},
    },
}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


FILTERS = [
    _query("q", "Words in Indonesian, Malay or English; each may be the start of a longer word, and "
                "the officers' synonyms count (keropok finds kerupuk)."),
    _query("category", "A category code from /categories."),
    _query("min_price", "Lowest price in ringgit, like 25 or 25.50."),
    _query("max_price", "Highest price in ringgit."),
    _query("halal", "1: only products whose halal certificate is in force.", {"type": "string", "enum": ["1"]}),
    _query("bpom", "1: only food registered with BPOM (MD).", {"type": "string", "enum": ["1"]}),
    _query("verified", "1: only verified merchants.", {"type": "string", "enum": ["1"]}),
    _query("recyclable", "1: only recyclable packaging.", {"type": "string", "enum": ["1"]}),
    _query("ships_within", "Ships within this many days.", {"type": "integer", "minimum": 1}),
    _query("moq_max", "Minimum order quantity at most this.", {"type": "integer", "minimum": 1}),
    _query("sort", "Order of the results.", {"type": "string", "enum": ["relevance", "newest", "price_asc", "price_desc"]}),
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
    _query("per_page", "Products per page, 1 to 100 (24).", {"type": "integer", "minimum": 1, "maximum": 100}),
]


def _ok(schema: str, description: str) -> dict:
    return {
        "200": {"description": description, "headers": {"ETag": {"schema": {"type": "string"}}},
                "content": {"application/json": {"schema": ref(schema)}}},
        "304": {"description": "Not modified since the ETag or date you sent."},
    }


ERRORS = {
    "400": {"description": "A parameter is wrong; the message says which.",
            "content": {"application/json": {"schema": ref("Error")}}},
    "404": {"description": "Not found.", "content": {"application/json": {"schema": ref("Error")}}},
}


def document(server: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Serumpun catalog API",
            "version": "1.0.0",
            "description": "Products of Bandung UMKM for buyers and partner systems in Malaysia. Read-only. Money is "
                           "an integer amount of minor units with its currency; ringgit prices use the exchange rate "
                           "in force, which /exchange-rates shows with its date and source. /stats, the officers' "
                           "figures for a city's command center, needs a token.",
        },
        "servers": [{"url": f"{server}/api/v1"}],
        "paths": {
            "/products": {"get": {"summary": "Search and filter published products", "operationId": "listProducts",
                                  "parameters": FILTERS,
                                  "responses": {**_ok("ProductList", "A page of products with facet counts."),
                                                **ERRORS}}},
            "/products/{id}": {"get": {"summary": "One published product", "operationId": "getProduct",
                                       "parameters": [{"name": "id", "in": "path", "required": True,
                                                       "schema": {"type": "integer", "minimum": 1}}],
                                       "responses": {**_ok("ProductResponse", "The product."), **ERRORS}}},
            "/categories": {"get": {"summary": "The product categories", "operationId": "listCategories",
                                    "responses": _ok("CategoryList", "Every category.")}},
            "/merchants": {"get": {"summary": "Merchants with published products", "operationId": "listMerchants",
                                   "responses": _ok("MerchantList", "Merchants, most products first.")}},
            "/merchants/{slug}": {"get": {"summary": "One merchant and its products", "operationId": "getMerchant",
                                          "parameters": [{"name": "slug", "in": "path", "required": True,
                                                          "schema": {"type": "string"}}],
                                          "responses": {**_ok("MerchantResponse", "The merchant."), **ERRORS}}},
            "/quotes": {"post": {
                "summary": "Delivered cost of an order to a Malaysian state", "operationId": "quoteOrder",
                "description": "Parcels per merchant (they ship separately) with every courier service that can "
                               "carry them, and the breakdown at the cheapest service: goods, shipping, sales tax on "
                               "low value goods, import duty and sales tax on import, in MYR sen, each with its "
                               "rule and date. An estimate.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref("QuoteRequest")}}},
                "responses": {"200": {"description": "The quote.",
                                      "content": {"application/json": {"schema": ref("QuoteResponse")}}},
                              "400": ERRORS["400"]}}},
            "/exchange-rates": {"get": {"summary": "Exchange rates in force", "operationId": "listRates",
                                        "responses": _ok("RateList", "Rupiah per unit of each currency.")}},
            "/stats": {"get": {
                "summary": "Trade figures for a city's command center", "operationId": "getStats",
                "description": "The figures of the officers' dashboard for a range of days (the last six months "
                               "unless since and until say otherwise; at most three years). Needs a token: "
                               "Authorization: Bearer <token>. Not cached.",
                "security": [{"statsToken": []}],
                "parameters": [
                    _query("since", "First day, included (default: the first day of the month five months ago).",
                           {"type": "string", "format": "date"}),
                    _query("until", "Last day, included (default: today).", {"type": "string", "format": "date"}),
                ],
                "responses": {
                    "200": {"description": "The figures.",
                            "content": {"application/json": {"schema": ref("StatsResponse")}}},
                    "400": ERRORS["400"],
                    "401": {"description": "No token, a wrong one, or a revoked one.",
                            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                            "content": {"application/json": {"schema": ref("Error")}}},
                }}},
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"statsToken": {
                "type": "http", "scheme": "bearer",
                "description": "A token an admin makes at /admin/stats-tokens, shown once; revoked tokens are refused.",
            }},
        },
    }
