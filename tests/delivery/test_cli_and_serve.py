"""The `lists` and `deliver` commands, and the worker running inside `escalations serve`."""

from __future__ import annotations

import json
import time

import httpx
from typer.testing import CliRunner

from api.cli.main import cli
from infra.bootstrap import build
from infra.settings import Settings
from tests.delivery.behaviour import SENDER, communicate, open_incident
from tests.delivery.over_http import create_list, open_outage
from tests.delivery.smtp_server import MailServer
from tests.support import bearer, issue_key, running_server

runner = CliRunner()


def _run(*arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(cli, list(arguments), env=env)
    return result.exit_code, result.output


def test_lists_are_managed_from_the_command_line(sqlite_url: str) -> None:
    code, out = _run("lists", "create", "--name", "Executive team", "--audience", "executive",
                     "--database-url", sqlite_url, "--actor", "ops")  # fmt: skip
    assert code == 0, out
    list_id = out.strip().splitlines()[-1]
    for address in ("maria.chen@example.com", "kofi.mensah@example.com"):
        assert _run("lists", "add", list_id, address, "--database-url", sqlite_url)[0] == 0
    code, out = _run(
        "lists", "remove", list_id, "maria.chen@example.com", "--database-url", sqlite_url
    )
    assert code == 0
    code, out = _run("lists", "show", list_id, "--database-url", sqlite_url)
    assert out.strip().splitlines()[-1] == "kofi.mensah@example.com"
    code, out = _run("lists", "ls", "--json", "--database-url", sqlite_url)
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert (listed["name"], listed["audience"], listed["members"], listed["created_by"]) == (
        "Executive team", "executive", ["kofi.mensah@example.com"], "ops",
    )  # fmt: skip

    code, out = _run(
        "lists", "add", list_id, "Maria <maria@example.com>", "--database-url", sqlite_url
    )
    assert code == 2
    assert "maria.chen@example.com" in out


def test_deliver_refuses_to_run_without_a_mail_server(sqlite_url: str) -> None:
    code, out = _run(
        "deliver", "--once", "--database-url", sqlite_url, env={"ESCALATIONS_SMTP_URL": ""}
    )
    assert code == 2
    assert "ESCALATIONS_SMTP_URL" in out


def test_deliver_once_sends_what_waits(sqlite_url: str, mail_server: MailServer) -> None:
    container = build(Settings(database_url=sqlite_url))
    try:
        created = container.lists.create(name="Leaders", audience="executive", actor="ana")
        container.lists.add(created.id, address="maria.chen@example.com", actor="ana")
        communicate(container, open_incident(container))
    finally:
        container.close()
    env = {"ESCALATIONS_SMTP_URL": mail_server.url, "ESCALATIONS_MAIL_FROM": SENDER}
    code, out = _run("deliver", "--once", "--database-url", sqlite_url, env=env)
    assert code == 0, out
    assert [str(m["To"]) for m in mail_server.messages] == ["maria.chen@example.com"]


def test_serve_delivers_a_communication_while_the_api_answers(
    sqlite_url: str, mail_server: MailServer
) -> None:
    secret = issue_key(sqlite_url)
    env = {
        "ESCALATIONS_SMTP_URL": mail_server.url,
        "ESCALATIONS_MAIL_FROM": SENDER,
        "ESCALATIONS_DELIVERY_POLL_INTERVAL_S": "0.05",
    }
    with (
        running_server(sqlite_url, extra_env=env) as base,
        httpx.Client(base_url=base, headers=bearer(secret), timeout=30) as http,
    ):
        list_id = create_list(http)
        for address in ("maria.chen@example.com", "kofi.mensah@example.com"):
            http.post(f"/distribution-lists/{list_id}/members", json={"address": address})
        escalation = open_outage(http)
        sent = http.post(
            f"/escalations/{escalation}/communications",
            json={
                "audience": "executive",
                "channel": "email",
                "body": "Rolling back.",
                "deliver": True,
            },
        )
        assert sent.json()["delivery"] == {"recipients_queued": 2}
        communication = sent.json()["created"]["communication_id"]

        deadline = time.monotonic() + 60
        items: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            items = http.get(
                f"/escalations/{escalation}/communications/{communication}/deliveries"
            ).json()["items"]
            if items and all(i["state"] == "sent" for i in items):
                break
            time.sleep(0.05)
        assert sorted(str(i["address"]) for i in items if i["state"] == "sent") == [
            "kofi.mensah@example.com",
            "maria.chen@example.com",
        ]
        assert sorted(str(m["To"]) for m in mail_server.messages) == [
            "kofi.mensah@example.com",
            "maria.chen@example.com",
        ]


def test_endpoints_are_added_from_the_command_line_with_their_secret_shown_once(
    sqlite_url: str,
) -> None:
    code, out = _run("lists", "create", "--name", "Hooks", "--audience", "executive",
                     "--database-url", sqlite_url)  # fmt: skip
    list_id = out.strip().splitlines()[-1]
    hook = "https://93.184.215.14/hooks/escalations"
    code, out = _run("lists", "add", list_id, hook, "--kind", "webhook", "--owner",
                     "ops@example.com", "--database-url", sqlite_url)  # fmt: skip
    assert code == 0, out
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    code, out = _run("lists", "show", list_id, "--database-url", sqlite_url)
    assert f"webhook:{hook}" in out and secret not in out
    code, out = _run("lists", "add", list_id, "https://10.0.0.7/hook", "--kind", "webhook",
                     "--database-url", sqlite_url)  # fmt: skip
    assert code == 2
    assert "private" in out
