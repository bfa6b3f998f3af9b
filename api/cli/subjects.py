"""`escalations subjects ...`: erase a data subject, and handle the master key. See docs/privacy.md."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from api.cli.common import DatabaseOption, console, container_for

subjects_cli = typer.Typer(
    help="Data subjects: erasure (crypto-shredding) and the keys that protect them.",
    no_args_is_help=True,
)


@subjects_cli.command("erase")
def erase(
    subject_id: Annotated[
        str | None, typer.Argument(help="The data subject id (customer.subject_id).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="Erase every subject with this e-mail.")] = None,
    phone: Annotated[str | None, typer.Option(help="Erase every subject with this phone.")] = None,
    account_id: Annotated[
        str | None, typer.Option(help="Erase every subject with this account id.")
    ] = None,
    actor: Annotated[str, typer.Option(help="Who erases, recorded on every event.")] = "cli",
    request_id: Annotated[
        str | None, typer.Option(help="The privacy-request escalation that asked for it.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Erase a data subject (by id, or every subject holding an e-mail, phone or account id):
    delete their key, record the erasure, purge the views. Exit 0 when erased, 3 when pending
    (a reader still holds the deleted key; it completes by itself, see `subjects shred`)."""
    from infra.erasure import (
        ErasureIncomplete,
        IdentifierNotFound,
        SubjectNotFound,
        erase_by_identifier,
        erase_subject,
    )
    from infra.privacy.identifiers import UnusableIdentifier

    named = {k: v for k, v in (("email", email), ("phone", phone), ("account_id", account_id))}
    identifiers = {kind: value for kind, value in named.items() if value is not None}
    if (subject_id is None) == (not identifiers):
        console.print("[red]name a SUBJECT_ID, or --email/--phone/--account-id (not both)[/]")
        raise typer.Exit(2)
    container = container_for(database_url)
    try:
        if subject_id is not None:
            outcomes = [
                erase_subject(
                    container.app,
                    subject_id,
                    actor=actor,
                    request_id=request_id,
                    hooks=container.erasure_hooks,
                )
            ]
        else:
            outcomes = erase_by_identifier(
                container.app,
                identifiers,
                actor=actor,
                request_id=request_id,
                hooks=container.erasure_hooks,
            )
    except (SubjectNotFound, IdentifierNotFound, ErasureIncomplete, UnusableIdentifier) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()
    for outcome in outcomes:
        summary = {
            "subject_id": outcome.subject_id,
            "escalations": [str(i) for i in outcome.escalation_ids],
            "newly_erased": [str(i) for i in outcome.newly_erased],
            "key_deleted": outcome.key_deleted,
            "already_erased": outcome.already_erased,
            "first_erased_at": outcome.first_erased_at.isoformat(),
            "views_purged": outcome.views_purged,
            "state": outcome.state,
            "pending_reason": outcome.pending_reason,
        }
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        done = "was already erased" if outcome.already_erased else "is erased"
        console.print(
            f"subject {outcome.subject_id} {done} in {len(outcome.escalation_ids)} escalation(s)"
        )
        if outcome.pending_reason:
            console.print(f"[yellow]pending: {outcome.pending_reason}[/]")
    if any(outcome.pending_reason for outcome in outcomes):
        raise typer.Exit(3)


@subjects_cli.command("shred")
def shred(database_url: DatabaseOption = None) -> None:
    """Complete pending erasures once no reader holds the deleted keys (`serve` does this every
    5 s). Exit 0 when none is pending any more, 3 when some still are."""
    from infra.shredding import ShreddingWatch

    container = container_for(database_url)
    try:
        watch = ShreddingWatch(container.app)
        done = watch.poll()
        left = len(watch.pending)
    finally:
        container.close()
    console.print(f"{len(done)} erasure(s) completed; {left} still pending")
    if left:
        raise typer.Exit(3)


@subjects_cli.command("reindex")
def reindex(database_url: DatabaseOption = None) -> None:
    """Rebuild the blind index of identifiers from the stored cases, under the current master key
    (for a store written before the index, and after a master key rotation)."""
    from infra.identifier_index import backfill_identifiers

    container = container_for(database_url)
    try:
        count = backfill_identifiers(container.app, force=True)
    finally:
        container.close()
    console.print(f"{count} customer(s) indexed by e-mail, phone and account id")


@subjects_cli.command("new-master-key")
def new_master_key() -> None:
    """Print a fresh master key (base64) for ESCALATIONS_MASTER_KEY."""
    from infra.privacy.crypto import MasterKey

    sys.stdout.write(MasterKey.generate().to_base64() + "\n")


@subjects_cli.command("rewrap")
def rewrap(database_url: DatabaseOption = None) -> None:
    """Re-wrap every subject key with the current master key (after a rotation), and rebuild the
    identifier index under it (its digests are keyed by the master key too)."""
    from infra.identifier_index import backfill_identifiers

    container = container_for(database_url)
    try:
        count = container.app.subject_keys.rewrap()
        indexed = backfill_identifiers(container.app, force=True)
    finally:
        container.close()
    console.print(
        f"{count} subject key(s) re-wrapped and {indexed} customer(s) re-indexed with the "
        "current master key; "
        "ESCALATIONS_PREVIOUS_MASTER_KEYS can now be emptied and the old key destroyed"
    )
