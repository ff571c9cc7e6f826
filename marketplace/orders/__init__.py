"""Buying: quotes for a basket today; cart, checkout and orders build on them."""
