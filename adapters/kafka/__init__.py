"""Kafka: the outbound relay of stored escalation events and the inbound signal consumer.

See docs/kafka.md for the contracts and guarantees, and infra/kafka/wiring.py for how they are
built for an application."""
