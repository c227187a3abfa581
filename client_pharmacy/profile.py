"""The store's profile without Qt: what the hospital set (read-only here) and what the store's
own staff may change (phone, weekly opening hours, holidays and special days).

The split follows the server (`server/pharmacies`): `PUT /pharmacies/{id}/hours` takes phone,
hours and closures from the store's own staff (permission `pharmacy.own`, their own store only);
location and delivery capabilities (`PUT /pharmacies/{id}/capabilities`) are the hospital
administrator's, so the app shows them and never sends them. The server checks everything
again; parsing here only turns what the user typed into the server's shape and names the field
at fault before a round trip.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from common.api import ApiClient

Pharmacy = dict[str, Any]
WEEKDAYS = ("1", "2", "3", "4", "5", "6", "7")  # ISO: "1" Monday .. "7" Sunday
EDIT_PERMISSION = "pharmacy.own"
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~～至]\s*(\d{1,2}):(\d{2})$")
_SEPARATORS = re.compile(r"[,，、;；]")


class Problem(enum.Enum):
    """Why a typed value was not taken (the view words it)."""

    INTERVAL_FORMAT = "interval_format"  # not HH:MM-HH:MM
    TIME_RANGE = "time_range"  # 25:00, 12:60
    DATE_FORMAT = "date_format"  # not YYYY-MM-DD
    DUPLICATE_DATE = "duplicate_date"
    SPECIAL_DAY_NEEDS_HOURS = "special_day_needs_hours"
    PHONE_FORMAT = "phone_format"


class ProfileInputError(ValueError):
    """`field` is the server's name of the input (`opening_hours.1`, `closures.0.on_date`)."""

    def __init__(self, field: str, problem: Problem, value: str = "") -> None:
        super().__init__(f"{field}: {problem.value} {value!r}")
        self.field = field
        self.problem = problem
        self.value = value


def _time(hour: str, minute: str, field: str, text: str) -> str:
    h, m = int(hour), int(minute)
    if m > 59 or h > 24 or (h == 24 and m):
        raise ProfileInputError(field, Problem.TIME_RANGE, text)
    return f"{h:02d}:{m:02d}"


def parse_intervals(text: str, field: str) -> list[list[str]]:
    """`08:00-12:00, 14:00-21:00` -> [["08:00", "12:00"], ["14:00", "21:00"]]; empty: closed."""
    intervals = []
    for part in (p.strip() for p in _SEPARATORS.split(text)):
        if not part:
            continue
        match = _INTERVAL.match(part)
        if match is None:
            raise ProfileInputError(field, Problem.INTERVAL_FORMAT, part)
        a, b, c, d = match.groups()
        intervals.append([_time(a, b, field, part), _time(c, d, field, part)])
    return intervals


def format_intervals(intervals: list[list[str]] | None) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals or [])


@dataclass(frozen=True)
class SpecialDay:
    """One row of the holidays / special days table, as typed."""

    on_date: str
    closed: bool
    hours: str = ""
    note: str = ""


@dataclass(frozen=True)
class ProfileView:
    """What the screen shows, taken from the server's `PharmacyOut`."""

    pharmacy_id: str
    version: int
    name: str
    status_label: str
    address: str
    phone: str
    licence_number: str
    credit_code: str
    contact_person: str
    region_code: str
    week: dict[str, str]  # weekday -> "08:00-12:00, 14:00-21:00" ("" closed)
    special_days: list[SpecialDay]
    store_pickup: bool
    hospital_delivery: bool
    delivery_hospital_ids: list[str]
    courier_regions: list[str]
    same_day_delivery: bool

    @classmethod
    def of(cls, pharmacy: Pharmacy) -> ProfileView:
        profile = pharmacy.get("profile") or {}
        delivery = profile.get("delivery") or {}
        hours = profile.get("opening_hours") or {}
        return cls(
            pharmacy_id=str(pharmacy["id"]), version=int(profile.get("version") or 0),
            name=pharmacy["name"], status_label=pharmacy["status_label"],
            address=pharmacy.get("address") or "", phone=pharmacy.get("phone") or "",
            licence_number=profile.get("licence_number", ""),
            credit_code=profile.get("credit_code", ""),
            contact_person=profile.get("contact_person", ""),
            region_code=profile.get("region_code", ""),
            week={d: format_intervals(hours.get(d)) for d in WEEKDAYS},
            special_days=[SpecialDay(c["on_date"], c["closed"], format_intervals(c.get("hours")),
                                     c.get("note") or "")
                          for c in profile.get("closures") or []],
            store_pickup=bool(delivery.get("store_pickup")),
            hospital_delivery=bool(delivery.get("hospital_delivery")),
            delivery_hospital_ids=[str(h) for h in delivery.get("delivery_hospital_ids") or []],
            courier_regions=list(delivery.get("courier_regions") or []),
            same_day_delivery=bool(delivery.get("same_day_delivery")))


def hours_update(version: int, phone: str, week: dict[str, str],
                 special_days: list[SpecialDay]) -> dict[str, Any]:
    """The body of `PUT /pharmacies/{id}/hours` from what the user typed."""
    phone = phone.strip()
    if phone and not re.fullmatch(r"[0-9\-+ ]{5,40}", phone):
        raise ProfileInputError("phone", Problem.PHONE_FORMAT, phone)
    opening = {d: parse_intervals(week.get(d, ""), f"opening_hours.{d}") for d in WEEKDAYS}
    closures = []
    seen: set[date] = set()
    for i, day in enumerate(special_days):
        field = f"closures.{i}"
        try:
            on_date = date.fromisoformat(day.on_date.strip())
        except ValueError:
            raise ProfileInputError(f"{field}.on_date", Problem.DATE_FORMAT,
                                    day.on_date) from None
        if on_date in seen:
            raise ProfileInputError(f"{field}.on_date", Problem.DUPLICATE_DATE, day.on_date)
        seen.add(on_date)
        hours = [] if day.closed else parse_intervals(day.hours, f"{field}.hours")
        if not day.closed and not hours:
            raise ProfileInputError(f"{field}.hours", Problem.SPECIAL_DAY_NEEDS_HOURS)
        closures.append({"on_date": on_date.isoformat(), "closed": day.closed,
                         "hours": hours or None, "note": day.note.strip() or None})
    body: dict[str, Any] = {"version": version, "opening_hours": opening, "closures": closures}
    if phone:
        body["phone"] = phone
    return body


class StoreProfile:
    """Reads and saves the logged-in staff member's own store."""

    def __init__(self, api: ApiClient, pharmacy_id: str, permissions: list[str]) -> None:
        self.api = api
        self.pharmacy_id = pharmacy_id
        # The server decides; this only keeps the inputs of someone who may not edit read-only.
        self.may_edit = EDIT_PERMISSION in permissions

    def load(self) -> ProfileView:
        return ProfileView.of(self.api.call("GET", f"/pharmacies/{self.pharmacy_id}"))

    def hospital_names(self, ids: list[str]) -> dict[str, str]:
        """Names of the hospitals the store delivers to (ids the directory does not show stay
        as they are)."""
        if not ids:
            return {}
        page = self.api.call("GET", "/organisations", params={"kind": "hospital", "limit": 1000})
        names = {str(o["id"]): o["name"] for o in page["items"]}
        return {i: names.get(i, i) for i in ids}

    def save(self, body: dict[str, Any]) -> ProfileView:
        return ProfileView.of(self.api.call("PUT", f"/pharmacies/{self.pharmacy_id}/hours",
                                            body))
