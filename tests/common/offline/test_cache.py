"""ReadCache: the last known answer while the real server is away, per user."""

from __future__ import annotations

import uuid

import pytest

from common.api import errors
from common.api.models import Prescription, SearchPage
from common.offline import ReadCache

pytestmark = pytest.mark.slow


class TestReadCache:
    def test_serves_the_last_known_answer_while_offline(self, staff, live_server, tmp_path):
        doctor = staff("doctor_wang")
        cache = ReadCache(tmp_path / "offline.sqlite3", owner="doctor_wang")
        fresh = cache.read("search:amxl", lambda: doctor.api.search_catalogue("amxl"),
                           SearchPage)
        assert not fresh.stale and fresh.value.items and fresh.label() == ""
        live_server.stop()
        served = cache.read("search:amxl", lambda: doctor.api.search_catalogue("amxl"),
                            SearchPage)
        assert served.stale and served.value == fresh.value
        assert served.fetched_at == fresh.fetched_at
        assert served.label().startswith("离线数据，更新于")
        with pytest.raises(errors.ServerUnavailable):
            cache.read("search:bfl", lambda: doctor.api.search_catalogue("bfl"), SearchPage)
        # Another user of the workstation does not see it.
        other = ReadCache(tmp_path / "offline.sqlite3", owner="doctor_li")
        assert other.get("search:amxl", SearchPage) is None

    def test_refusals_are_not_hidden_by_the_cache(self, staff, tmp_path):
        doctor = staff("doctor_wang")
        cache = ReadCache(tmp_path / "offline.sqlite3", owner="doctor_wang")
        missing = uuid.uuid4()
        with pytest.raises(errors.NotFound):
            cache.read(f"rx:{missing}", lambda: doctor.api.get_prescription(missing),
                       Prescription)

    def test_clear_forgets_the_user_s_data(self, tmp_path):
        cache = ReadCache(tmp_path / "offline.sqlite3", owner="doctor_wang")
        page = SearchPage(items=[], total=0, total_exact=True, limit=20, offset=0,
                          served_by="primary")
        cache.put("search:x", page)
        assert cache.get("search:x", SearchPage) is not None
        cache.clear()
        assert cache.get("search:x", SearchPage) is None

    def test_known_offline_it_answers_at_once_without_asking(self, tmp_path):
        online = [True]
        asked: list[str] = []
        cache = ReadCache(tmp_path / "offline.sqlite3", owner="doctor_wang",
                          online=lambda: online[0])
        page = SearchPage(items=[], total=0, total_exact=True, limit=20, offset=0,
                          served_by="primary")

        def fetch() -> SearchPage:
            asked.append("search:x")
            return page

        assert not cache.read("search:x", fetch, SearchPage).stale
        online[0] = False
        served = cache.read("search:x", fetch, SearchPage)
        assert served.stale and served.value == page and asked == ["search:x"]
        # Nothing remembered: the server is asked after all (it may be back already).
        assert not cache.read("search:y", fetch, SearchPage).stale
        assert asked == ["search:x", "search:x"]
