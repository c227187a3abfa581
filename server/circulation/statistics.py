"""Statistics for the hospital's management: prescriptions (counts and amounts) by doctor,
department, drug class, pharmacy and period; review outcomes and times; fulfilment times per
delivery mode. Read-only SQL run on a replica when one is configured; row-level security
scopes every figure to what the asking administrator may see.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


class PrescriptionGrouping(StrEnum):
    DOCTOR = "doctor"
    DEPARTMENT = "department"
    DRUG_CLASS = "drug_class"
    PHARMACY = "pharmacy"
    DAY = "day"
    MONTH = "month"


class ReviewGrouping(StrEnum):
    PHARMACIST = "pharmacist"
    DAY = "day"
    MONTH = "month"


# The SQL below is assembled from this module's constants only (grouping expressions chosen by
# an enum); every value is a bound parameter, hence the `noqa: S608`.
# Only statuses that passed signing count as prescriptions issued.
_ISSUED = "p.status <> 'draft' AND p.issued_at >= :since AND p.issued_at < :until"
_PERIOD = {"day": "to_char(p.issued_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')",
           "month": "to_char(p.issued_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"}

_PRESCRIPTION_SQL = {
    PrescriptionGrouping.DOCTOR: f"""
        SELECT u.id::text AS key, u.display_name AS label, count(*) AS prescriptions,
               round(sum(p.total_amount) * 100)::bigint AS amount_fen
        FROM prescription p JOIN staff_user u ON u.id = p.doctor_id
        WHERE {_ISSUED} GROUP BY u.id, u.display_name ORDER BY prescriptions DESC""",  # noqa: S608
    PrescriptionGrouping.DEPARTMENT: f"""
        SELECT o.id::text AS key, o.name AS label, count(*) AS prescriptions,
               round(sum(p.total_amount) * 100)::bigint AS amount_fen
        FROM prescription p JOIN organisation o ON o.id = p.department_id
        WHERE {_ISSUED} GROUP BY o.id, o.name ORDER BY prescriptions DESC""",  # noqa: S608
    PrescriptionGrouping.DRUG_CLASS: f"""
        SELECT l.drug_class AS key, l.drug_class AS label,
               count(DISTINCT p.id) AS prescriptions,
               round(sum(l.amount) * 100)::bigint AS amount_fen
        FROM prescription p JOIN prescription_line l ON l.prescription_id = p.id
        WHERE {_ISSUED} GROUP BY l.drug_class ORDER BY prescriptions DESC""",  # noqa: S608
    PrescriptionGrouping.PHARMACY: f"""
        SELECT o.id::text AS key, o.name AS label, count(*) AS prescriptions,
               sum(c.total_fen)::bigint AS amount_fen
        FROM circulation_order c JOIN prescription p ON p.id = c.prescription_id
             JOIN organisation o ON o.id = c.pharmacy_id
        WHERE {_ISSUED} AND c.state IN ('active', 'completed')
        GROUP BY o.id, o.name ORDER BY prescriptions DESC""",  # noqa: S608
    **{grouping: f"""
        SELECT {_PERIOD[grouping.value]} AS key, {_PERIOD[grouping.value]} AS label,
               count(*) AS prescriptions,
               round(sum(p.total_amount) * 100)::bigint AS amount_fen
        FROM prescription p WHERE {_ISSUED} GROUP BY 1 ORDER BY 1"""  # noqa: S608
       for grouping in (PrescriptionGrouping.DAY, PrescriptionGrouping.MONTH)},
}

_REVIEW_KEY = {
    ReviewGrouping.PHARMACIST: ("u.id::text", "u.display_name"),
    ReviewGrouping.DAY: ("to_char(t.decided_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')",) * 2,
    ReviewGrouping.MONTH: ("to_char(t.decided_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",) * 2,
}


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in result]


async def prescriptions(session: AsyncSession, *, group_by: PrescriptionGrouping,
                        since: datetime, until: datetime) -> list[dict[str, Any]]:
    result = await session.execute(text(_PRESCRIPTION_SQL[group_by]),
                                   {"since": since, "until": until})
    return [{**row, "amount_fen": int(row["amount_fen"] or 0)} for row in _rows(result)]


async def reviews(session: AsyncSession, *, group_by: ReviewGrouping, since: datetime,
                  until: datetime) -> list[dict[str, Any]]:
    key, label = _REVIEW_KEY[group_by]
    result = await session.execute(text(f"""
        SELECT {key} AS key, {label} AS label, count(*) AS decided,
               count(*) FILTER (WHERE t.decision = 'approved') AS approved,
               count(*) FILTER (WHERE t.decision = 'rejected') AS rejected,
               count(*) FILTER (WHERE t.spot_check = 'error') AS errors,
               round(avg(EXTRACT(EPOCH FROM t.decided_at - t.created_at)) / 60, 1)
                   AS avg_minutes,
               round((percentile_cont(0.9) WITHIN GROUP (
                   ORDER BY EXTRACT(EPOCH FROM t.decided_at - t.created_at)) / 60)::numeric, 1)
                   AS p90_minutes
        FROM review_task t JOIN staff_user u ON u.id = t.decided_by_id
        WHERE t.status = 'decided' AND t.decided_at >= :since AND t.decided_at < :until
        GROUP BY 1, 2 ORDER BY 1"""),  # noqa: S608
        {"since": since, "until": until})
    rows = _rows(result)
    for row in rows:
        decided = row["decided"] or 0
        row["approval_rate"] = round(row["approved"] / decided, 4) if decided else None
        row["rejection_rate"] = round(row["rejected"] / decided, 4) if decided else None
        row["error_rate"] = round(row["errors"] / row["approved"], 4) if row["approved"] else None
        row["avg_minutes"] = float(row["avg_minutes"]) if row["avg_minutes"] is not None else None
        row["p90_minutes"] = float(row["p90_minutes"]) if row["p90_minutes"] is not None else None
    return rows


async def fulfilment(session: AsyncSession, *, since: datetime,
                     until: datetime) -> list[dict[str, Any]]:
    """Per delivery mode: orders, how long pharmacies took to accept, and how long from the
    choice to the patient's hands (collected, delivered or confirmed)."""
    result = await session.execute(text("""
        SELECT c.mode AS key, c.mode AS label, count(*) AS orders,
               count(*) FILTER (WHERE c.handed_over_at IS NOT NULL
                                OR c.state = 'completed') AS finished,
               count(*) FILTER (WHERE c.state IN ('returned', 'lock_expired')) AS released,
               round(avg(EXTRACT(EPOCH FROM c.accepted_at - c.created_at)) / 60, 1)
                   AS avg_accept_minutes,
               round(avg(EXTRACT(EPOCH FROM COALESCE(c.handed_over_at, d.delivered_at)
                                            - c.created_at)) / 3600, 2) AS avg_fulfil_hours
        FROM circulation_order c
        LEFT JOIN LATERAL (SELECT min(e.occurred_at) AS delivered_at FROM delivery_event e
                           WHERE e.order_id = c.id AND e.code = 'delivered') d ON true
        WHERE c.created_at >= :since AND c.created_at < :until
        GROUP BY c.mode ORDER BY c.mode"""), {"since": since, "until": until})
    rows = _rows(result)
    for row in rows:
        for field in ("avg_accept_minutes", "avg_fulfil_hours"):
            row[field] = float(row[field]) if row[field] is not None else None
    return rows
