"""What the list-and-search view must do on every backend (run per backend by test_views.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from projections.search.base import InvalidQuery, SearchQuery
from tests.projections.support import BackendSuite, project, varied_history


class SearchBehaviour(BackendSuite):
    @pytest.fixture
    def loaded(self, running, clock):
        _container, views, driver = running
        start = clock.now - timedelta(days=3)
        ids = varied_history(driver, start)
        project(views)
        return views["search"], ids, start

    def ids(self, view, **filters):
        return [item["id"] for item in view.search(SearchQuery(limit=200, **filters)).items]

    def test_every_filter_narrows_to_the_matching_escalations(self, loaded):
        view, ids, _start = loaded
        assert len(self.ids(view)) == 12
        assert set(self.ids(view, scope=["global"])) == {str(ids[n]) for n in (2, 5, 8, 11)}
        assert set(self.ids(view, severity=["SEV1"])) == {str(ids[n]) for n in (0, 4, 8)}
        assert set(self.ids(view, source=["bbb_complaint"])) == {str(ids[1]), str(ids[7])}
        assert set(self.ids(view, status=["resolved"])) == {
            str(ids[n]) for n in range(12) if n % 3 != 2
        }
        assert set(self.ids(view, owner="owner1")) == {str(ids[n]) for n in (1, 4, 7, 10)}
        assert len(self.ids(view, team="engineering")) == 12
        assert self.ids(view, team="legal") == []
        assert set(self.ids(view, component="Sync")) == {str(ids[n]) for n in range(1, 12, 2)}
        assert set(self.ids(view, tag="billing")) == {str(ids[n]) for n in (0, 3, 6, 9)}

    def test_free_text_matches_words_anywhere_case_insensitively(self, loaded):
        view, ids, _ = loaded
        assert set(self.ids(view, text="OUTAGE")) == {str(ids[n]) for n in (2, 5, 8, 11)}
        assert self.ids(view, text="description 7") == [str(ids[7])]
        assert self.ids(view, text="100%") == []  # LIKE wildcards are taken literally

    def test_time_ranges_and_sla_breached(self, loaded):
        view, ids, start = loaded
        after = start + timedelta(hours=3 * 10)
        assert set(self.ids(view, opened_after=after)) == {str(ids[10]), str(ids[11])}
        assert set(self.ids(view, opened_before=start + timedelta(hours=1))) == {str(ids[0])}
        resolved = self.ids(view, resolved_after=start, resolved_before=start + timedelta(hours=2))
        assert resolved == [str(ids[0])]
        assert self.ids(view, sla_breached=True) == []
        assert len(self.ids(view, sla_breached=False)) == 12

    @pytest.mark.parametrize("sort", ["-opened_at", "opened_at", "severity", "-updated_at"])
    def test_cursor_pages_cover_every_match_once_in_order(self, loaded, sort):
        view, _, _ = loaded
        everything = self.ids(view, sort=sort)
        seen, cursor = [], None
        while True:
            page = view.search(SearchQuery(sort=sort, limit=5, cursor=cursor))
            seen += [item["id"] for item in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == everything
        assert len(set(seen)) == 12

    def test_a_cursor_for_another_sort_or_a_forged_cursor_is_refused(self, loaded):
        view, _, _ = loaded
        cursor = view.search(SearchQuery(limit=2)).next_cursor
        with pytest.raises(InvalidQuery):
            view.search(SearchQuery(sort="severity", cursor=cursor))
        with pytest.raises(InvalidQuery):
            view.search(SearchQuery(cursor="not-a-cursor"))

    def test_rows_carry_no_customer_personal_data(self, running, clock):
        _, views, driver = running
        driver.open(
            clock.now,
            title="Refund",
            customer={"subject_id": "s-1", "name": "Zed Marker", "email": "zed@example.com"},
        )
        project(views)
        rows = views["search"].documents()
        assert "Zed Marker" not in str(rows) and "zed@example.com" not in str(rows)
        assert self.ids(views["search"], text="zed") == []
