"""Delivering communications: distribution lists, the outcome store and the tracked worker."""
