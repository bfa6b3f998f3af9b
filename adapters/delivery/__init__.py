"""What every delivery channel (e-mail today; webhooks and Slack later) offers the worker."""
