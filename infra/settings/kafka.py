"""The Kafka section of the settings: the `ESCALATIONS_KAFKA_*` environment variables.

Kafka is off unless `ESCALATIONS_KAFKA_BOOTSTRAP_SERVERS` is set. Everything else has a default that
suits a single Apache Kafka cluster; the security options are passed through to kafka-python as they
are, so the names match its documentation.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from infra.settings.section import Section

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI"]


class KafkaSettings(Section):
    ENV_PREFIX = "KAFKA_"

    bootstrap_servers: str | None = None
    """Comma-separated `host:port` list. None means Kafka is off."""

    events_topic: str = "escalations.events"
    signals_topic: str = "escalations.signals"
    dead_letter_topic: str = "escalations.signals.dlq"
    consumer_group: str = "escalations-ingest"
    client_id: str = "escalations"

    event_source: str = "urn:escalations"
    """CloudEvents `source` of every published event; name the deployment if there are several."""

    relay_name: str = "kafka-relay"
    """Name of the relay's tracked position; one per (database, events topic)."""

    relay_batch_size: int = Field(default=2000, ge=1)
    """Notifications read from the store and published per acknowledged round."""

    relay_poll_interval_s: float = Field(default=0.05, gt=0)
    """How often an idle relay looks for new events; bounds the end-to-end lag."""
    linger_ms: int = Field(default=10, ge=0)
    producer_batch_bytes: int = Field(default=262144, ge=1024)
    compression_type: Literal["gzip", "snappy", "lz4", "zstd"] | None = None
    request_timeout_ms: int = Field(default=30000, ge=100)
    delivery_timeout_ms: int = Field(default=120000, ge=100)
    """How long a relay round waits for acknowledgements before it drops its producer and
    publishes again from the tracked position."""
    retry_backoff_max_s: float = Field(default=30.0, gt=0)

    session_timeout_ms: int = Field(default=45000, ge=1000)
    max_poll_interval_ms: int = Field(default=300000, ge=1000)
    heartbeat_interval_ms: int = Field(default=3000, ge=100)

    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_plain_username: str | None = None
    sasl_plain_password: str | None = None
    sasl_kerberos_service_name: str | None = None
    sasl_kerberos_domain_name: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_password: str | None = None
    ssl_crlfile: str | None = None
    ssl_check_hostname: bool = True

    @property
    def enabled(self) -> bool:
        return bool(self.bootstrap_servers and self.bootstrap_servers.strip())

    def connection_options(self) -> dict[str, Any]:
        """Options every kafka-python client (producer, consumer, admin) takes."""
        if not self.enabled:
            msg = "Kafka is off: set ESCALATIONS_KAFKA_BOOTSTRAP_SERVERS (e.g. 127.0.0.1:9092)"
            raise RuntimeError(msg)
        assert self.bootstrap_servers is not None
        servers = [server.strip() for server in self.bootstrap_servers.split(",")]
        options: dict[str, Any] = {
            "bootstrap_servers": [server for server in servers if server],
            "client_id": self.client_id,
            "security_protocol": self.security_protocol,
            "ssl_check_hostname": self.ssl_check_hostname,
            # While the broker is away, fail fast into our own backoff (which honours a stop
            # request) rather than block a constructor for the client's default 30 s.
            "bootstrap_timeout_ms": self.request_timeout_ms,
            "reconnect_backoff_max_ms": int(self.retry_backoff_max_s * 1000),
        }
        optional = {
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.sasl_plain_username,
            "sasl_plain_password": self.sasl_plain_password,
            "sasl_kerberos_service_name": self.sasl_kerberos_service_name,
            "sasl_kerberos_domain_name": self.sasl_kerberos_domain_name,
            "ssl_cafile": self.ssl_cafile,
            "ssl_certfile": self.ssl_certfile,
            "ssl_keyfile": self.ssl_keyfile,
            "ssl_password": self.ssl_password,
            "ssl_crlfile": self.ssl_crlfile,
        }
        options.update({k: v for k, v in optional.items() if v is not None})
        return options

    def producer_options(self) -> dict[str, Any]:
        return {
            **self.connection_options(),
            "acks": "all",
            "enable_idempotence": True,
            "linger_ms": self.linger_ms,
            "batch_size": self.producer_batch_bytes,
            "compression_type": self.compression_type,
            "request_timeout_ms": self.request_timeout_ms,
            # The producer itself must never give up on a batch before the relay gives up on the
            # round: a batch expired alone could let the next batch of its partition through,
            # and a gap in a partition is the one way first copies could arrive out of order.
            "delivery_timeout_ms": 2 * self.delivery_timeout_ms
            + self.request_timeout_ms
            + self.linger_ms,
            # One request in flight per connection: a retried batch can never overtake the next.
            "max_in_flight_requests_per_connection": 1,
            # Likewise for send() waiting on metadata.
            "max_block_ms": self.request_timeout_ms,
        }

    def consumer_options(self) -> dict[str, Any]:
        return {
            **self.connection_options(),
            "group_id": self.consumer_group,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "session_timeout_ms": self.session_timeout_ms,
            "max_poll_interval_ms": self.max_poll_interval_ms,
            "heartbeat_interval_ms": min(self.heartbeat_interval_ms, self.session_timeout_ms // 3),
            "request_timeout_ms": max(self.request_timeout_ms, self.session_timeout_ms + 1000),
        }
