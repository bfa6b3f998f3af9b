"""Wiring of the delivery worker: what `escalations serve` starts beside the API, and what
`escalations deliver` runs alone."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from adapters.mail.smtp import SmtpChannel
from infra.bootstrap import Container
from infra.delivery.lists import DistributionLists
from infra.delivery.outcomes import Outcomes
from infra.delivery.worker import DeliveryWorker
from infra.settings.delivery import MailSettings

log = logging.getLogger(__name__)


def outcome_store(container: Container) -> Outcomes:
    return container.outcomes


def lists_of(container: Container) -> DistributionLists:
    return container.lists


def smtp_channel(mail: MailSettings) -> SmtpChannel:
    server = mail.server()
    return SmtpChannel(
        host=server.host,
        port=server.port,
        sender=mail.from_address or "",
        implicit_tls=server.implicit_tls,
        starttls_required=server.starttls_required,
        username=server.username,
        password=server.password,
        timeout_s=mail.timeout_s,
    )


def build_worker(container: Container) -> DeliveryWorker:
    settings = container.settings
    return DeliveryWorker(
        container.app,
        lists_of(container),
        outcome_store(container),
        smtp_channel(settings.mail),
        settings.delivery,
        id_domain=settings.mail.id_domain,
    )


@dataclass
class DeliveryThread:
    """Handle on the worker's thread inside another process (the HTTP server)."""

    worker: DeliveryWorker | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def stop(self, timeout_s: float = 10.0) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=timeout_s)


def start_delivery(container: Container) -> DeliveryThread:
    """Start the worker in a daemon thread when mail is configured and delivery is on."""
    handle = DeliveryThread()
    settings = container.settings
    if not settings.delivery.enabled or not settings.mail.enabled:
        log.info("delivery is off (set ESCALATIONS_SMTP_URL and ESCALATIONS_MAIL_FROM)")
        return handle
    handle.worker = build_worker(container)
    handle.thread = threading.Thread(
        target=handle.worker.run, args=(handle.stop_event,), name="delivery", daemon=True
    )
    handle.thread.start()
    return handle
