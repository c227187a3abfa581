"""The store profile against the live server: what the hospital set is shown and not
editable, the store's own staff change phone, weekly hours and special days of their own store
only (permission pharmacy.own), and typing mistakes are named before any request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QCheckBox, QLabel, QTableWidgetItem
from pytestqt.qtbot import QtBot

from client_pharmacy.profile import (
    Problem,
    ProfileInputError,
    SpecialDay,
    StoreProfile,
    hours_update,
    parse_intervals,
)
from client_pharmacy.regions import region_text
from client_pharmacy.ui.profile_view import ProfileScreen
from client_pharmacy.ui.services import CounterServices
from client_pharmacy.ui.window import PharmacyWindow
from common.api.errors import NotPermitted, VersionConflict
from server.seed.demo import DemoGroup
from tests.client_pharmacy.conftest import PHARMACY, STORE_STAFF
from tests.clients import Staff

WAIT = 15_000


def set_special_day(screen: ProfileScreen, row: int, day: SpecialDay) -> None:
    screen.special.setItem(row, 0, QTableWidgetItem(day.on_date))
    closed = screen.special.cellWidget(row, 1)
    assert isinstance(closed, QCheckBox)
    closed.setChecked(day.closed)
    screen.special.setItem(row, 2, QTableWidgetItem(day.hours))
    screen.special.setItem(row, 3, QTableWidgetItem(day.note))


def test_staff_keep_their_hours_and_special_days_the_hospital_fields_stay_read_only(
        qtbot: QtBot, counter_window: PharmacyWindow, staff: Callable[..., Staff]) -> None:
    screen = counter_window.profile_view
    assert screen.view is not None
    assert screen.fixed["address"].text() == "滨江市人民路 118 号"
    assert screen.fixed["licence"].text() == screen.view.licence_number
    assert "滨江市第一人民医院" in screen.fixed["hospitals"].text()
    assert "浙江省" in screen.fixed["regions"].text()  # courier regions by name, not code
    # Fields the hospital controls are labels: nothing there to type into.
    assert all(isinstance(w, QLabel) for w in screen.fixed.values())
    assert counter_window.windowTitle().endswith(f"{screen.view.name} 吴芳")
    version = screen.view.version

    screen.week["1"].setText("9点到12点")
    screen.save_button.click()
    assert screen.message.text() == (
        "周一：营业时段应写作 HH:MM-HH:MM，多个时段用逗号分隔（“9点到12点”不符）")
    assert counter_window.services.pending == 0

    screen.phone.setText("0571-86110099")
    screen.week["1"].setText("09:00-12:00，13:30-20:00")
    screen.week["7"].setText("")  # closed on Sundays
    screen.add_day_button.click()
    screen.add_day_button.click()
    set_special_day(screen, 0, SpecialDay("2026-10-01", True, "", "国庆节"))
    set_special_day(screen, 1, SpecialDay("2026-10-02", False, "10:00-16:00", "国庆假期"))
    with qtbot.waitSignal(screen.saved, timeout=WAIT):
        screen.save_button.click()
    assert screen.message.text() == "已保存"
    assert screen.view.version == version + 1

    # Read back as anyone at the store would see it now.
    again = StoreProfile(staff("store_qian").api, screen.profile.pharmacy_id, []).load()
    assert again.phone == "0571-86110099"
    assert again.week["1"] == "09:00-12:00, 13:30-20:00" and again.week["7"] == ""
    assert again.special_days == [SpecialDay("2026-10-01", True, "", "国庆节"),
                                  SpecialDay("2026-10-02", False, "10:00-16:00", "国庆假期")]
    assert again.courier_regions == screen.view.courier_regions  # untouched


def test_own_store_only_and_only_what_the_store_may_change(
        staff: Callable[..., Staff], demo: DemoGroup) -> None:
    store = staff(STORE_STAFF)
    assert store.session.user is not None
    own = StoreProfile(store.api, demo.organisations[PHARMACY], store.session.user.permissions)
    assert own.may_edit
    mine = own.load()
    body = hours_update(mine.version, mine.phone, mine.week, [])

    other = StoreProfile(store.api, demo.organisations["P2"], store.session.user.permissions)
    theirs = other.load()  # an approved store's directory entry is public
    with pytest.raises(NotPermitted) as refused:
        other.save(hours_update(theirs.version, "0571-1234567", theirs.week, []))
    assert refused.value.message == "只能修改本药店的营业时间"

    # Delivery capabilities are the hospital's to set.
    with pytest.raises(NotPermitted):
        store.api.call("PUT", f"/pharmacies/{mine.pharmacy_id}/capabilities", {
            "version": mine.version, "latitude": 30.2, "longitude": 120.2,
            "region_code": mine.region_code, "delivery": {"store_pickup": True,
                                                          "courier_regions": [""]}})
    assert own.save(body).version == mine.version + 1
    with pytest.raises(VersionConflict):
        own.save(body)  # someone saved in between: reload and redo


def test_without_the_permission_the_screen_is_read_only(
        qtbot: QtBot, staff: Callable[..., Staff], demo: DemoGroup) -> None:
    store = staff(STORE_STAFF)
    assert store.session.user is not None
    services = CounterServices(store.api, store.session.user)
    screen = ProfileScreen(services, StoreProfile(store.api, demo.organisations[PHARMACY], []))
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.loaded, timeout=WAIT):
        screen.refresh()
    assert screen.phone.isReadOnly() and all(e.isReadOnly() for e in screen.week.values())
    assert not screen.save_button.isEnabled() and not screen.special.isEnabled()
    services.shutdown()


@pytest.mark.parametrize(("text", "field", "problem"), [
    ("8:00-12:00, 14:00", "opening_hours.1", Problem.INTERVAL_FORMAT),
    ("08:00-25:00", "opening_hours.1", Problem.TIME_RANGE),
    ("08:60-12:00", "opening_hours.1", Problem.TIME_RANGE),
])
def test_hours_typed_wrong_name_the_field(text: str, field: str, problem: Problem) -> None:
    with pytest.raises(ProfileInputError) as error:
        parse_intervals(text, field)
    assert (error.value.field, error.value.problem) == (field, problem)


def test_hours_and_special_days_become_the_servers_shape() -> None:
    assert parse_intervals("8:00-12:00；14:00～21:00", "x") == [["08:00", "12:00"],
                                                              ["14:00", "21:00"]]
    assert parse_intervals("22:00-06:00", "x") == [["22:00", "06:00"]]
    with pytest.raises(ProfileInputError) as twice:
        hours_update(3, "", {}, [SpecialDay("2026-10-01", True), SpecialDay("2026-10-01", True)])
    assert (twice.value.field, twice.value.problem) == ("closures.1.on_date",
                                                        Problem.DUPLICATE_DATE)
    with pytest.raises(ProfileInputError) as open_day:
        hours_update(3, "", {}, [SpecialDay("2026-10-01", False, "")])
    assert open_day.value.problem is Problem.SPECIAL_DAY_NEEDS_HOURS
    body = hours_update(3, " 0571-1 ", {"1": "08:00-21:00"}, [])
    assert body == {"version": 3, "phone": "0571-1", "closures": [], "opening_hours": {
        "1": [["08:00", "21:00"]], "2": [], "3": [], "4": [], "5": [], "6": [], "7": []}}


def test_courier_regions_read_as_names() -> None:
    assert [region_text(p) for p in ("33", "3301", "99")] == ["浙江省", "浙江省（3301）", "99"]
