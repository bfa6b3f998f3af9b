"""Kafka ways in and out: the relay and ingest wiring, and signals as commands."""
