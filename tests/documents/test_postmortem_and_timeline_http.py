"""The root-cause report and the team timeline through HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.documents.conftest import Store
from tests.documents.scenarios import MARKERS, T0


def postmortem_json(store: Store) -> Any:
    path = f"/escalations/{store.outage}/postmortem"
    return store.client.get(path, params={"format": "json"}, headers=store.manager).json()


def test_the_postmortem_reports_every_section_in_markdown(store: Store) -> None:
    text = store.client.get(f"/escalations/{store.outage}/postmortem", headers=store.manager).text
    for heading in (
        "## Summary",
        "## Impact",
        "## Root cause",
        "## Trigger",
        "## Contributing factors",
        "## Detection",
        "## Response",
        "## Recovery",
        "## Five whys",
        "### What went well",
        "### What went wrong",
        "### Where we got lucky",
        "## Action items",
        "## Timeline (UTC)",
    ):
        assert heading in text
    assert "A cache eviction setting was applied to every region at once." in text
    assert "DRAFT, revision 1" in text


def test_postmortem_durations_are_computed_from_the_events(store: Store) -> None:
    body = postmortem_json(store)
    measured = {d["label"]: d["seconds"] for d in body["durations"]}
    assert measured == {
        "Time to acknowledge": 5 * 60,
        "Time to first customer communication": 18 * 60,  # the public statement at 09:18
        "Time to mitigate": 55 * 60,  # the first move to monitoring
        "Time to resolve": 125 * 60,
    }
    markdown = store.client.get(
        f"/escalations/{store.outage}/postmortem", headers=store.manager
    ).text
    assert "- **Time to mitigate:** 55 min (2026-11-02 09:55 UTC)" in markdown


def test_postmortem_action_items_show_owner_and_state(store: Store) -> None:
    body = postmortem_json(store)
    states = {item["owner"]: item["state"] for item in body["action_items"]}
    assert states == {
        "Sam Lee": "done 2026-11-02 09:56 UTC",
        "Priya Shah": "open, due 2026-11-16 09:00 UTC",
    }
    html = store.client.get(
        f"/escalations/{store.outage}/postmortem",
        headers={"Accept": "text/html", **store.manager},
    ).text
    assert "<td>Priya Shah</td><td>open, due 2026-11-16 09:00 UTC</td>" in html


def test_postmortem_timeline_comes_from_the_stream(store: Store) -> None:
    body = postmortem_json(store)
    kinds = [entry["kind"] for entry in body["timeline"]]
    assert kinds[0] == "opened"
    assert kinds[-1] == "post_mortem_recorded"
    assert "note_added" not in kinds
    assert all(entry["detail"] == "" for entry in body["timeline"])


def test_postmortem_before_one_is_recorded_says_how_to_record_it(store: Store) -> None:
    response = store.client.get(
        f"/escalations/{store.unreviewed}/postmortem", headers=store.manager
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert f"POST /escalations/{store.unreviewed}/postmortem" in response.json()["detail"]


def test_postmortem_of_an_open_escalation_says_to_resolve_it_first(store: Store) -> None:
    moment = (T0 + timedelta(minutes=30)).isoformat()
    response = store.client.get(
        f"/escalations/{store.outage}/postmortem", params={"as_of": moment}, headers=store.manager
    )
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "is investigating" in detail
    assert f"POST /escalations/{store.outage}/resolve" in detail


def test_the_timeline_is_a_json_list_of_readable_entries(store: Store) -> None:
    entries = store.client.get(f"/escalations/{store.outage}/timeline").json()
    assert isinstance(entries, list)
    assert [entry["version"] for entry in entries] == list(range(1, len(entries) + 1))
    first = entries[0]
    assert set(first) >= {"time", "actor", "kind", "text"}
    assert first["time"] == "2026-11-02T09:00:00Z"
    assert first["text"].startswith("Opened “Sync stalls for EU customers”")
    acknowledged = entries[1]
    assert acknowledged["text"] == "Acknowledged, 5 min after it was received."


def test_the_timeline_includes_internal_notes_marked_as_such(store: Store) -> None:
    entries = store.client.get(f"/escalations/{store.outage}/timeline").json()
    notes = [entry for entry in entries if entry["kind"] == "note_added"]
    assert len(notes) == 1
    assert MARKERS["note"] in notes[0]["text"]
    assert notes[0]["internal"] is True
    assert (
        MARKERS["note"]
        in store.client.get(f"/escalations/{store.outage}/timeline", params={"format": "md"}).text
    )


def test_the_timeline_as_of_stops_at_that_moment(store: Store) -> None:
    moment = (T0 + timedelta(minutes=10)).isoformat()
    entries = store.client.get(
        f"/escalations/{store.outage}/timeline", params={"as_of": moment}
    ).json()
    assert entries[-1]["kind"] == "impact_assessed"
    assert len(entries) == 5


def test_the_timeline_in_html_is_a_table(store: Store) -> None:
    response = store.client.get(
        f"/escalations/{store.outage}/timeline", headers={"Accept": "text/html"}
    )
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<td>2026-11-02 09:05 UTC</td>" in response.text
