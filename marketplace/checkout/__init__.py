"""The buyer's way from cart to paid order: checkout, payment pages, order pages, provider webhooks."""
