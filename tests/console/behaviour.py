"""The console's behaviour, written once and run on each store (test_sqlite.py,
test_postgres.py): sign-in, sessions, CSRF, throttling, status moves with their conflicts, and
share links."""

from __future__ import annotations

from uuid import UUID

from tests.console.support import OPEN, PASSWORD, browser, console_app, csrf_of, person, sign_in
from tests.support import bearer


class ConsoleBehaviour:
    def test_signed_out_pages_redirect_to_sign_in_with_the_page_to_come_back_to(self, url):
        with console_app(url) as (_, app), browser(app) as client:
            answer = client.get("/console/queue?x=1")
            assert answer.status_code == 303
            assert answer.headers["location"] == "/login?next=/console/queue%3Fx%3D1"

    def test_sign_in_sets_a_hardened_cookie_and_the_person_is_the_actor(self, url):
        with console_app(url) as (container, app), browser(app) as client:
            person(container, "maria@example.com")
            signed = sign_in(client, "maria@example.com")
            assert signed.status_code == 303
            cookie = signed.headers["set-cookie"]
            assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
            secret = container.keys.create(name="k", role="manager", actor="tests").secret
            eid = client.post("/escalations", json=OPEN, headers=bearer(secret)).json()["id"]
            page = client.get(f"/console/escalations/{eid}")
            assert page.status_code == 200 and ">Acknowledge<" in page.text
            moved = client.post(
                f"/console/escalations/{eid}/moves/acknowledge",
                data={"csrf_token": csrf_of(page.text), "version": "1"},
            )
            assert moved.status_code == 303, moved.text
            events = client.get(f"/escalations/{eid}/events", headers=bearer(secret)).json()
            assert [e["actor"] for e in events["items"]] == ["k", "maria@example.com"]

    def test_a_secure_cookie_when_the_public_url_is_https(self, url):
        with (
            console_app(url, public_base_url="https://esc.example.com") as (container, app),
            browser(app, https=True) as client,
        ):
            person(container, "maria@example.com")
            assert "Secure" in sign_in(client, "maria@example.com").headers["set-cookie"]

    def test_a_wrong_password_and_an_unknown_address_read_the_same(self, url):
        with console_app(url) as (container, app), browser(app) as client:
            person(container, "maria@example.com")
            wrong = sign_in(client, "maria@example.com", "not the password at all")
            unknown = sign_in(client, "nobody@example.com", PASSWORD)
            assert wrong.status_code == unknown.status_code == 401
            assert "do not match an active account" in wrong.text
            message = wrong.text.split('role="alert">')[1].split("<")[0]
            assert message == unknown.text.split('role="alert">')[1].split("<")[0]

    def test_five_failures_pause_sign_in_with_429_and_retry_after(self, url):
        with console_app(url) as (container, app), browser(app) as client:
            person(container, "maria@example.com")
            for _ in range(5):
                assert sign_in(client, "maria@example.com", "wrong password!").status_code == 401
            paused = sign_in(client, "maria@example.com")  # even the right password now
            assert paused.status_code == 429
            assert 0 < int(paused.headers["retry-after"]) <= 15 * 60
            assert "Too many sign-in attempts" in paused.text
        # per client address too: five accounts tried from one address
        with console_app(url) as (container, app), browser(app, "10.0.0.9") as client:
            person(container, "dev@example.com")
            for n in range(5):
                sign_in(client, f"guess{n}@example.com", "wrong password!")
            assert sign_in(client, "dev@example.com").status_code == 429
            with browser(app, "10.0.0.10") as elsewhere:
                assert sign_in(elsewhere, "dev@example.com").status_code == 303

    def test_a_forged_form_is_refused_with_a_403_page_and_changes_nothing(self, url):
        with console_app(url) as (container, app), browser(app) as client:
            person(container, "maria@example.com")
            sign_in(client, "maria@example.com")
            secret = container.keys.create(name="k", role="manager", actor="tests").secret
            eid = client.post("/escalations", json=OPEN, headers=bearer(secret)).json()["id"]
            forged = client.post(
                f"/console/escalations/{eid}/moves/acknowledge",
                data={"csrf_token": "made-up", "version": "1"},
            )
            assert forged.status_code == 403
            assert "text/html" in forged.headers["content-type"]
            assert container.app.get(UUID(eid)).version == 1
            login = browser(app).post(
                "/login", data={"email": "maria@example.com", "password": PASSWORD}
            )
            assert login.status_code == 403

    def test_a_stakeholder_reaching_a_manager_action_gets_a_403_page(self, url):
        with console_app(url) as (container, app), browser(app) as client:
            person(container, "exec@example.com", role="stakeholder")
            sign_in(client, "exec@example.com")
            secret = container.keys.create(name="k", role="manager", actor="tests").secret
            eid = client.post("/escalations", json=OPEN, headers=bearer(secret)).json()["id"]
            home = client.get("/")
            assert home.status_code == 200
            refused = client.post(
                f"/console/escalations/{eid}/moves/acknowledge",
                data={"csrf_token": csrf_of(home.text), "version": "1"},
            )
            assert refused.status_code == 403 and "Not for your role" in refused.text
            assert container.app.get(UUID(eid)).version == 1

    def test_the_second_of_two_sessions_sees_the_conflict_and_can_apply_again(self, url):
        with (
            console_app(url) as (container, app),
            browser(app) as first,
            browser(app) as second,
        ):
            person(container, "maria@example.com")
            person(container, "dev@example.com")
            sign_in(first, "maria@example.com")
            sign_in(second, "dev@example.com")
            secret = container.keys.create(name="k", role="manager", actor="tests").secret
            eid = first.post("/escalations", json=OPEN, headers=bearer(secret)).json()["id"]
            page_one = first.get(f"/console/escalations/{eid}").text
            page_two = second.get(f"/console/escalations/{eid}").text
            first.post(
                f"/console/escalations/{eid}/moves/status-investigating",
                data={"csrf_token": csrf_of(page_one), "version": "1"},
            )
            stale = second.post(
                f"/console/escalations/{eid}/moves/status-identified",
                data={"csrf_token": csrf_of(page_two), "version": "1"},
            )
            assert stale.status_code == 409
            assert "Changed since you opened it" in stale.text
            assert "maria@example.com" in stale.text and "investigating" in stale.text
            assert container.app.get(UUID(eid)).status == "investigating"  # not overwritten
            assert 'name="version" value="2"' in stale.text
            again = second.post(
                f"/console/escalations/{eid}/moves/status-identified",
                data={"csrf_token": csrf_of(stale.text), "version": "2"},
            )
            assert again.status_code == 303
            assert container.app.get(UUID(eid)).status == "identified"

    def test_sign_out_everywhere_ends_every_session_of_the_person(self, url):
        with console_app(url) as (container, app), browser(app) as one, browser(app) as two:
            person(container, "maria@example.com")
            sign_in(one, "maria@example.com")
            sign_in(two, "maria@example.com")
            home = one.get("/")
            assert two.get("/").status_code == 200
            out = one.post("/logout/everywhere", data={"csrf_token": csrf_of(home.text)})
            assert out.status_code == 303
            assert two.get("/").status_code == 303
            assert one.get("/").status_code == 303

    def test_share_links_work_until_revoked_or_expired(self, url, clock):
        with console_app(url, clock) as (container, app), browser(app) as stranger:
            secret = container.keys.create(name="k", role="manager", actor="tests").secret
            headers = bearer(secret)
            eid = stranger.post("/escalations", json=OPEN, headers=headers).json()["id"]
            made = stranger.post(
                f"/escalations/{eid}/share-links",
                json={"audience": "executive", "expires_in_hours": 2},
                headers=headers,
            )
            assert made.status_code == 201, made.text
            link = made.json()["url"].split("/share/")[1]
            shown = stranger.get(f"/share/{link}")
            assert shown.status_code == 200 and "Sync down" in shown.text
            assert stranger.get(f"/share/{link[:-2]}xx").status_code == 410
            clock.advance(hours=3)
            expired = stranger.get(f"/share/{link}")
            assert expired.status_code == 410 and "expired" in expired.text
            made = stranger.post(
                f"/escalations/{eid}/share-links", json={"audience": "customer"}, headers=headers
            )
            link_id = UUID(made.json()["id"])
            container.console.share_links.revoke(link_id, actor="tests")
            revoked = stranger.get(f"/share/{made.json()['url'].split('/share/')[1]}")
            assert revoked.status_code == 410 and "revoked" in revoked.text
            assert (
                stranger.post(
                    f"/escalations/{eid}/share-links", json={"audience": "board"}, headers=headers
                ).status_code
                == 422
            )

    def test_people_are_event_sourced_and_a_disabled_account_cannot_sign_in(self, url):
        with console_app(url) as (container, app), browser(app) as client:
            person(container, "maria@example.com", team="CX", time_zone="Europe/Berlin")
            sign_in(client, "maria@example.com")
            assert client.get("/").status_code == 200
            container.console.people.disable("maria@example.com", actor="admin")
            assert client.get("/").status_code == 303
            assert sign_in(client, "maria@example.com").status_code == 401
            stream = list(container.app.events.get(container.console.people.all()[0].id))
            assert [type(e).__name__ for e in stream] == ["Registered", "Disabled"]
            assert stream[1].actor == "admin"

    def test_my_work_lists_what_is_due_for_me_and_my_team_with_countdowns(self, url):
        with console_app(url, views=True) as (container, app), browser(app) as client:
            person(container, "maria@example.com", team="CX", time_zone="Asia/Tokyo")
            person(container, "dev@example.com", team="CX")
            person(container, "ola@example.com", team="Billing")
            secret = container.keys.create(name="k", role="manager", actor="tests").secret
            headers = bearer(secret)
            titles = {"maria": "Maria's case", "dev": "Dev's case", "ola": "Ola's case"}
            for owner, title in titles.items():
                eid = client.post("/escalations", json=OPEN | {"title": title}, headers=headers)
                owned = client.post(
                    f"/escalations/{eid.json()['id']}/owner",
                    json={"owner": owner, "team": "cx"},
                    headers=headers,
                )
                assert owned.status_code == 200, owned.text
            head = owned.headers["Escalations-Position"]
            assert client.get(f"/queue?wait_for={head}", headers=headers).status_code == 200
            sign_in(client, "maria@example.com")
            page = client.get("/")
            assert page.status_code == 200
            mine = page.text.split("<h2>My open escalations</h2>")[0]
            assert "Maria&#39;s case" in mine and "Dev&#39;s case" in mine
            assert "Ola&#39;s case" not in page.text
            assert "First response" in mine and 'class="countdown' in mine
            assert "JST" in mine and "UTC" in mine  # her time zone, the UTC moment in a title
            assert ">mine<" in mine and ">my team&#39;s<" in mine
            queue = client.get("/console/queue")
            assert all(title.replace("'", "&#39;") in queue.text for title in titles.values())

    def test_an_analyst_reads_the_workspace_without_its_moves(self, url):
        with console_app(url) as (container, app), browser(app) as client:
            person(container, "ana@example.com", role="analyst")
            sign_in(client, "ana@example.com")
            secret = container.keys.create(name="k", role="manager", actor="tests").secret
            eid = client.post("/escalations", json=OPEN, headers=bearer(secret)).json()["id"]
            page = client.get(f"/console/escalations/{eid}")
            assert page.status_code == 200 and "Sync down" in page.text
            assert ">Acknowledge<" not in page.text and "Create share link" not in page.text
