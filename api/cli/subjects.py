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
    subject_id: Annotated[str, typer.Argument(help="The data subject id (customer.subject_id).")],
    actor: Annotated[str, typer.Option(help="Who erases, recorded on every event.")] = "cli",
    request_id: Annotated[
        str | None, typer.Option(help="The privacy-request escalation that asked for it.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Erase a data subject: delete their key, record the erasure, purge the views."""
    from infra.erasure import ErasureIncomplete, SubjectNotFound, erase_subject

    container = container_for(database_url)
    try:
        outcome = erase_subject(
            container.app,
            subject_id,
            actor=actor,
            request_id=request_id,
            hooks=container.erasure_hooks,
        )
    except (SubjectNotFound, ErasureIncomplete) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()
    summary = {
        "subject_id": outcome.subject_id,
        "escalations": [str(i) for i in outcome.escalation_ids],
        "newly_erased": [str(i) for i in outcome.newly_erased],
        "key_deleted": outcome.key_deleted,
        "already_erased": outcome.already_erased,
        "first_erased_at": outcome.first_erased_at.isoformat(),
        "views_purged": outcome.views_purged,
    }
    sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    done = "was already erased" if outcome.already_erased else "is erased"
    console.print(f"subject {subject_id} {done} in {len(outcome.escalation_ids)} escalation(s)")


@subjects_cli.command("new-master-key")
def new_master_key() -> None:
    """Print a fresh master key (base64) for ESCALATIONS_MASTER_KEY."""
    from infra.privacy.crypto import MasterKey

    sys.stdout.write(MasterKey.generate().to_base64() + "\n")


@subjects_cli.command("rewrap")
def rewrap(database_url: DatabaseOption = None) -> None:
    """Re-wrap every subject key with the current master key (after a rotation)."""
    container = container_for(database_url)
    try:
        count = container.app.subject_keys.rewrap()
    finally:
        container.close()
    console.print(
        f"{count} subject key(s) re-wrapped with the current master key; "
        "ESCALATIONS_PREVIOUS_MASTER_KEYS can now be emptied and the old key destroyed"
    )
