"""Reading an RDE^O11 pharmacy order into what a circulation prescription needs, without the
database: every problem is collected with the field it concerns, so one AE names them all.

One message is one prescription: the patient (PID, PV1), and one line per ORDER group
(ORC + RXE + TQ1 + RXR). The mapping, field by field, is in docs/integrations-hl7.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from server.checks.frequency import FREQUENCIES, normalise
from server.hl7.ack import Problem

ORDER_GROUP = "RDE_O11_ORDER"
PATIENT_GROUP = "RDE_O11_PATIENT"
TIMING_GROUPS = ("RDE_O11_TIMING_ENCODED", "RDE_O11_TIMING")
ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")

# PV1-2 patient class (HL7 table 0004) -> visit type; R (recurring patient) is the chronic
# clinic's follow-up visit.
VISIT_TYPES = {"O": "outpatient", "E": "emergency", "I": "inpatient", "R": "chronic"}
# TQ1-3 repeat patterns as HIS send them -> our frequency codes (the rest match after
# lower-casing: QD, BID, TID, QID, Q4H ... PRN).
FREQUENCY_ALIASES = {"qhs": "qn", "hs": "qn", "stat": "st", "once": "st", "q24h": "qd",
                     "q1d": "qd", "q1w": "qw", "q2d": "qod"}
# RXR-1 route codes (HL7 table 0162) -> how the route is written on a Chinese prescription;
# a route sent with its text (RXR-1.2) keeps the HIS's text.
ROUTES = {"PO": "口服", "SL": "舌下含服", "IV": "静脉注射", "IVPB": "静脉滴注",
          "IM": "肌内注射", "SC": "皮下注射", "ID": "皮内注射", "TOP": "外用", "INH": "吸入",
          "NS": "滴鼻", "OP": "滴眼", "OT": "滴耳", "PR": "直肠给药", "VAG": "阴道给药",
          "TD": "经皮贴敷"}
DAY_UNITS = {"d": 1, "day": 1, "天": 1, "日": 1, "wk": 7, "w": 7, "周": 7}


@dataclass(frozen=True)
class PatientIdentifier:
    value: str
    kind: str  # PID-3.5 identifier type code (MR, NI, HC ...)


@dataclass
class LineRequest:
    occurrence: int  # which ORDER group (1-based): where to point an error
    placer_number: str
    product_code: str
    product_text: str
    dose: Decimal
    dose_unit: str
    route: str
    frequency: str
    days: int
    instructions: str | None


@dataclass
class OrderRequest:
    identifiers: list[PatientIdentifier]
    patient_name: str | None
    visit_type: str
    visit_number: str | None
    doctor_username: str
    placer_group: str
    diagnoses: list[dict[str, str]]
    lines: list[LineRequest] = field(default_factory=list)


class OrderRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.text for p in problems))
        self.problems = problems


def children(element: Any, name: str) -> list[Any]:
    return list(element.children.get(name))


def _text(value: Any) -> str:
    return str(value.value if hasattr(value, "value") else value or "").strip()


def _er7_component(field_value: Any, index: int) -> str:
    # Positional access through the ER7 text works for every version's data type names.
    raw = str(field_value.to_er7()) if hasattr(field_value, "to_er7") else str(field_value)
    parts = raw.split("^")
    return parts[index - 1].strip() if len(parts) >= index else ""


def _field(segment: Any, number: int) -> list[Any]:
    """The repetitions of field `number` of `segment` (empty when absent)."""
    name = f"{segment.name.lower()}_{number}"
    return [r for r in segment.children.get(name.upper()) if str(r.to_er7()).strip()]


def _first(segment: Any, number: int, component: int = 1) -> str:
    values = _field(segment, number)
    return _er7_component(values[0], component) if values else ""


def read_order(message: Any) -> OrderRequest:
    problems: list[Problem] = []
    identifiers: list[PatientIdentifier] = []
    patient_name = None
    visit_type, visit_number = "outpatient", None
    patient_groups = children(message, PATIENT_GROUP)
    pids = children(patient_groups[0], "PID") if patient_groups else []
    if not pids:
        problems.append(Problem("PID", "缺少患者信息（PID 段）", code="100"))
    else:
        pid = pids[0]
        for repetition in _field(pid, 3):
            value = _er7_component(repetition, 1)
            if value:
                identifiers.append(PatientIdentifier(value, _er7_component(repetition, 5)
                                                     .upper()))
        if not identifiers:
            problems.append(Problem("PID", "缺少患者标识（就诊卡号、身份证号或医保卡号）",
                                    field=3))
        family, given = _first(pid, 5, 1), _first(pid, 5, 2)
        patient_name = (family + given) or None
        visits = children(patient_groups[0], "RDE_O11_PATIENT_VISIT")
        pv1s = children(visits[0], "PV1") if visits else []
        if pv1s:
            patient_class = _first(pv1s[0], 2).upper()
            if patient_class:
                if patient_class not in VISIT_TYPES:
                    problems.append(Problem(
                        "PV1", f"不支持的就诊类型「{patient_class}」（可用 O/E/I/R）",
                        code="103", field=2))
                else:
                    visit_type = VISIT_TYPES[patient_class]
            visit_number = _first(pv1s[0], 19) or None

    orders = children(message, ORDER_GROUP)
    doctors: set[str] = set()
    diagnoses: dict[str, dict[str, str]] = {}
    lines: list[LineRequest] = []
    placer_group = ""
    if not orders:
        problems.append(Problem("ORC", "缺少医嘱（ORC/RXE 段）", code="100"))
    for occurrence, order in enumerate(orders, start=1):
        line = _read_line(order, occurrence, problems, doctors, diagnoses)
        if line is not None:
            lines.append(line)
        orc = children(order, "ORC")
        if orc and not placer_group:
            placer_group = _first(orc[0], 4)
    if len(doctors) > 1:
        problems.append(Problem("ORC", "一张处方的医嘱须由同一位医生开具", code="102", field=12))
    if orders and not diagnoses and not any(p.label == "RXE-27" for p in problems):
        problems.append(Problem("RXE", "缺少诊断（给药指征 RXE-27，ICD-10 编码）", field=27))
    if problems:
        raise OrderRejected(problems)
    return OrderRequest(identifiers=identifiers, patient_name=patient_name,
                        visit_type=visit_type, visit_number=visit_number,
                        doctor_username=doctors.pop(),
                        placer_group=placer_group or lines[0].placer_number,
                        diagnoses=list(diagnoses.values()), lines=lines)


def _read_line(order: Any, n: int, problems: list[Problem], doctors: set[str],
               diagnoses: dict[str, dict[str, str]]) -> LineRequest | None:
    before = len(problems)
    orcs, rxes = children(order, "ORC"), children(order, "RXE")
    if not orcs:
        problems.append(Problem("ORC", "缺少 ORC 段", code="100", occurrence=n))
        return None
    if not rxes:
        problems.append(Problem("RXE", "缺少 RXE 段", code="100", occurrence=n))
        return None
    orc, rxe = orcs[0], rxes[0]
    control = _first(orc, 1).upper()
    if control != "OP":
        problems.append(Problem("ORC", f"只接收院外发药医嘱（ORC-1 应为 OP，收到「{control}」）",
                                code="103" if control else "101", field=1, occurrence=n))
    placer = _first(orc, 2)
    if not placer:
        problems.append(Problem("ORC", "缺少医嘱号（ORC-2）", field=2, occurrence=n))
    doctor = _first(orc, 12)
    if doctor:
        doctors.add(doctor)
    else:
        problems.append(Problem("ORC", "缺少开单医生（ORC-12，本平台用户名）", field=12,
                                occurrence=n))
    product_code, product_text = _first(rxe, 2, 1), _first(rxe, 2, 2)
    if not product_code:
        problems.append(Problem("RXE", "缺少药品编码（RXE-2）", field=2, occurrence=n))
    dose = _decimal(_first(rxe, 3), "RXE", 3, "单次剂量", n, problems)
    dose_unit = _first(rxe, 5, 1) or _first(rxe, 5, 2)
    if not dose_unit:
        problems.append(Problem("RXE", "缺少剂量单位（RXE-5）", field=5, occurrence=n))
    instructions = (_first(rxe, 7, 2) or _first(rxe, 7, 1) or None)
    for repetition in _field(rxe, 27):
        code, name = _er7_component(repetition, 1).upper(), _er7_component(repetition, 2)
        if not ICD10.match(code):
            problems.append(Problem("RXE", f"诊断编码「{code}」不是 ICD-10 编码", code="102",
                                    field=27, occurrence=n))
            continue
        diagnoses.setdefault(code, {"code": code, "name": name or code})
    frequency, days = _timing(order, n, problems)
    route = ""
    rxrs = children(order, "RXR")
    if rxrs:
        route_code = _first(rxrs[0], 1, 1).upper()
        route = _first(rxrs[0], 1, 2) or ROUTES.get(route_code, route_code)
    if not route:
        problems.append(Problem("RXR", "缺少给药途径（RXR-1）", field=1, occurrence=n))
    if len(problems) > before:
        return None
    assert dose is not None and days is not None
    return LineRequest(occurrence=n, placer_number=placer, product_code=product_code,
                       product_text=product_text, dose=dose, dose_unit=dose_unit[:20],
                       route=route[:30], frequency=frequency, days=days,
                       instructions=instructions[:300] if instructions else None)


def _timing(order: Any, n: int, problems: list[Problem]) -> tuple[str, int | None]:
    tq1s = [tq1 for group in TIMING_GROUPS for g in children(order, group)
            for tq1 in children(g, "TQ1")]
    if not tq1s:
        problems.append(Problem("TQ1", "缺少用法频次与天数（TQ1 段）", code="100", occurrence=n))
        return "", None
    tq1 = tq1s[0]
    pattern = _first(tq1, 3)
    code = normalise(pattern)
    code = FREQUENCY_ALIASES.get(code, code)
    if not pattern:
        problems.append(Problem("TQ1", "缺少给药频次（TQ1-3）", field=3, occurrence=n))
    elif code not in FREQUENCIES:
        problems.append(Problem("TQ1", f"未知的给药频次「{pattern}」（TQ1-3）", code="103",
                                field=3, occurrence=n))
    quantity = _first(tq1, 6, 1)
    if not quantity:
        problems.append(Problem("TQ1", "缺少用药天数（TQ1-6，如 7^d）", field=6, occurrence=n))
        return code, None
    unit = _first(tq1, 6, 2).lower() or "d"
    try:
        amount = Decimal(quantity)
    except InvalidOperation:
        amount = Decimal(-1)
    if unit not in DAY_UNITS or amount <= 0 or amount != amount.to_integral_value():
        problems.append(Problem("TQ1", f"用药天数「{quantity}^{unit}」应为正整数天或周（TQ1-6）",
                                code="102", field=6, occurrence=n))
        return code, None
    return code, int(amount) * DAY_UNITS[unit]


def _decimal(value: str, segment: str, number: int, what: str, n: int,
             problems: list[Problem]) -> Decimal | None:
    if not value:
        problems.append(Problem(segment, f"缺少{what}（{segment}-{number}）", field=number,
                                occurrence=n))
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0:
        problems.append(Problem(segment, f"{what}「{value}」不是正数（{segment}-{number}）",
                                code="102", field=number, occurrence=n))
        return None
    return amount
