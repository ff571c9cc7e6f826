"""Payments: a small registry of providers (bank transfer, Stripe Checkout), the payments they take, webhooks."""
