"""Search requests and their answers: the standard parameters (`_id`, `_count`, paging,
token `system|value`, date prefixes, references), strict checking of the names a resource
supports, and the searchset Bundle with `self` / `next` / `previous` links.

The supported parameters of every resource are declared once here; the CapabilityStatement is
built from the same table, so it says exactly what the server does.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from server.fhir.outcome import FhirInvalid, build

DEFAULT_COUNT = 20
MAX_COUNT = 100
# Paging is by offset; the server writes the links, so to a client they are opaque.
PAGING = ("_count", "_offset")
COMMON = frozenset({*PAGING, "_format", "_pretty"})

# resource type -> search parameter -> (type, description)
SEARCH_PARAMETERS: dict[str, dict[str, tuple[str, str]]] = {
    "Patient": {"_id": ("token", "逻辑标识"),
                "identifier": ("token", "身份证号、就诊卡号、医保卡号（system|value，精确匹配）"),
                "name": ("string", "姓名（精确匹配）")},
    "Practitioner": {"_id": ("token", "逻辑标识"), "identifier": ("token", "工号（用户名）"),
                     "organization": ("reference", "所属机构（非标准，便于查询本院医生）")},
    "Organization": {"_id": ("token", "逻辑标识"), "identifier": ("token", "机构编码"),
                     "name": ("string", "名称（包含）"), "type": ("token", "机构类型"),
                     "partof": ("reference", "上级机构")},
    "Medication": {"_id": ("token", "逻辑标识"),
                   "code": ("token", "医保药品代码、药品本位码或 ATC（system|value）"),
                   "identifier": ("token", "目录产品标识、批准文号"),
                   "status": ("token", "active | inactive")},
    "MedicationRequest": {"_id": ("token", "逻辑标识"),
                          "identifier": ("token", "处方号或开方系统自己的标识"),
                          "patient": ("reference", "患者"), "subject": ("reference", "患者"),
                          "status": ("token", "状态（可用逗号分隔多个）"),
                          "authoredon": ("date", "开具时间（ge/le/gt/lt/eq 前缀）"),
                          "date": ("date", "同 authoredon"),
                          "requester": ("reference", "开方医生"),
                          "intent": ("token", "order")},
    "MedicationDispense": {"_id": ("token", "逻辑标识"),
                           "identifier": ("token", "药品追溯码"),
                           "patient": ("reference", "患者"), "subject": ("reference", "患者"),
                           "prescription": ("reference", "对应的 MedicationRequest"),
                           "status": ("token", "状态")},
    "Task": {"_id": ("token", "逻辑标识（处方标识）"), "identifier": ("token", "处方号"),
             "patient": ("reference", "患者"), "for": ("reference", "患者"),
             "status": ("token", "任务状态"), "business-status": ("token", "业务状态（流转状态）"),
             "owner": ("reference", "承接药店"),
             "modified": ("date", "最后修改时间")},
    "Provenance": {"_id": ("token", "逻辑标识"), "target": ("reference", "签名对象"),
                   "patient": ("reference", "患者")},
    "AuditEvent": {"_id": ("token", "逻辑标识（审计序号）"),
                   "entity": ("reference", "相关处方（Task、MedicationRequest）"),
                   "date": ("date", "发生时间")},
    "DetectedIssue": {"_id": ("token", "逻辑标识"), "patient": ("reference", "患者"),
                      "implicated": ("reference", "涉及的 MedicationRequest")},
}


@dataclass(frozen=True)
class Token:
    system: str | None  # None: any system
    value: str | None  # None: any value of the system


@dataclass(frozen=True)
class DateRange:
    """Instants t with start <= t < end (either side open when None)."""

    start: datetime | None
    end: datetime | None


@dataclass
class Search:
    resource_type: str
    params: list[tuple[str, str]] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0

    def values(self, name: str) -> list[str]:
        """Every value given for `name`, comma-separated alternatives split."""
        return [part for key, value in self.params if key == name
                for part in _split_commas(value)]

    def one(self, name: str) -> str | None:
        found = [value for key, value in self.params if key == name]
        if len(found) > 1:
            raise FhirInvalid(f"搜索参数 {name} 只能出现一次", expression=[name])
        return found[0] if found else None

    def tokens(self, name: str) -> list[Token]:
        return [parse_token(v) for v in self.values(name)]

    def reference_ids(self, name: str, resource_type: str) -> list[str]:
        return [parse_reference(v, resource_type, name) for v in self.values(name)]

    def dates(self, name: str) -> list[DateRange]:
        return [parse_date(value, name) for key, value in self.params if key == name]


def _split_commas(value: str) -> list[str]:
    # A comma is an OR; a backslash escapes one that belongs to the value.
    parts = re.split(r"(?<!\\),", value)
    return [p.replace("\\,", ",") for p in parts if p != ""]


def parse_search(resource_type: str, query: list[tuple[str, str]], *,
                 lenient: bool = False) -> Search:
    supported = SEARCH_PARAMETERS[resource_type]
    search = Search(resource_type)
    for name, value in query:
        if name in PAGING:
            setattr(search, name.lstrip("_"), _bounded_int(name, value))
            continue
        if name in COMMON:
            continue
        if name not in supported:
            if lenient:
                continue  # Prefer: handling=lenient — the self link shows what was used
            raise FhirInvalid(f"{resource_type} 不支持搜索参数「{name}」"
                              f"（支持：{', '.join(sorted(supported))}）",
                              expression=[name], fhir_code="not-supported")
        if value == "":
            raise FhirInvalid(f"搜索参数 {name} 没有取值", expression=[name])
        search.params.append((name, value))
    search.count = min(search.count, MAX_COUNT)
    return search


def _bounded_int(name: str, value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise FhirInvalid(f"{name} 应为非负整数", expression=[name])
    return int(value)


def parse_token(value: str) -> Token:
    if "|" not in value:
        return Token(None, value)
    # "|value": explicitly no system (stored as ""); "system|": any value of the system.
    system, _, code = value.partition("|")
    return Token(system, code or None)


def parse_reference(value: str, resource_type: str, name: str) -> str:
    """`Type/id`, or a bare id, of `resource_type`; the logical id."""
    kind, slash, logical = value.rpartition("/")
    if slash and kind.rsplit("/", 1)[-1] != resource_type:
        raise FhirInvalid(f"参数 {name} 应引用 {resource_type}", expression=[name])
    logical = logical if slash else value
    if not re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", logical):
        raise FhirInvalid(f"参数 {name} 不是有效的资源标识", expression=[name])
    return logical


_DATE = re.compile(r"(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(T.+)?)?)?")


def parse_date(value: str, name: str) -> DateRange:
    """A date parameter with its prefix, as the range of instants it admits. Dates without a
    time are days in China (UTC+8), the calendar the hospitals work in."""
    from server.clinical.service import CHINA

    match = _DATE.fullmatch(value)
    if match is None:
        raise FhirInvalid(f"参数 {name} 的日期格式不正确（如 ge2026-01-31）", expression=[name])
    prefix, year, month, day, clock = match.groups()
    try:
        if clock:
            instant = datetime.fromisoformat(f"{year}-{month}-{day}{clock}")
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=CHINA)
            start, end = instant, instant + timedelta(seconds=1)
        elif day:
            first = date(int(year), int(month), int(day))
            start = datetime.combine(first, time(0), tzinfo=CHINA)
            end = start + timedelta(days=1)
        elif month:
            first = date(int(year), int(month), 1)
            after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            start = datetime.combine(first, time(0), tzinfo=CHINA)
            end = datetime.combine(after, time(0), tzinfo=CHINA)
        else:
            start = datetime.combine(date(int(year), 1, 1), time(0), tzinfo=CHINA)
            end = datetime.combine(date(int(year) + 1, 1, 1), time(0), tzinfo=CHINA)
    except ValueError:
        raise FhirInvalid(f"参数 {name} 不是有效的日期", expression=[name]) from None
    prefix = prefix or "eq"
    ranges = {"eq": DateRange(start, end), "ge": DateRange(start, None),
              "gt": DateRange(end, None), "sa": DateRange(end, None),
              "le": DateRange(None, end), "lt": DateRange(None, start),
              "eb": DateRange(None, start)}
    if prefix not in ranges:
        raise FhirInvalid(f"参数 {name} 不支持前缀 {prefix}", expression=[name],
                          fhir_code="not-supported")
    return ranges[prefix]


def as_uuid(value: str, name: str) -> uuid.UUID | None:
    """A logical id that is a uuid; None for any other (it matches nothing)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def bundle(base: str, search: Search, total: int,
           resources: list[dict[str, Any]]) -> dict[str, Any]:
    def link(offset: int) -> str:
        query = [*search.params, ("_count", str(search.count)), ("_offset", str(offset))]
        return f"{base}{search.resource_type}?{urlencode(query)}"

    links = [{"relation": "self", "url": link(search.offset)}]
    if search.offset + search.count < total and search.count > 0:
        links.append({"relation": "next", "url": link(search.offset + search.count)})
    if search.offset > 0:
        links.append({"relation": "previous",
                      "url": link(max(0, search.offset - max(search.count, 1)))})
    return build("Bundle", {
        "resourceType": "Bundle", "type": "searchset", "total": total, "link": links,
        "entry": [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r,
                   "search": {"mode": "match"}} for r in resources]})
