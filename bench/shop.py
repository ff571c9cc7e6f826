"""Serumpun as app.py serves it, without rate limits: the checkout bench's 16 buyers all come from 127.0.0.1,
and adding to a cart is limited to 60 a minute per address."""
from marketplace import create_app

app = create_app({"RATELIMIT_ENABLED": False})
