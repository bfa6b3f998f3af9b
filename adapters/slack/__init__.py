"""Slack incoming webhooks: a Block Kit message per communication."""
