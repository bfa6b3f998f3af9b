"""Webhook endpoints the Standard Webhooks way: signed JSON over HTTPS."""
