"""What must hold in the database after a load, whatever happened during it (kills included):

- every acknowledged prescription exists, exactly once, and no prescription exists that the
  clients were not told about (a retry that wrote twice would leave one);
- the same for orders (one per prescription) and dispensed packages: every traceability code
  acknowledged is dispensed, and no code is dispensed twice;
- every prescription has the audit events of the steps it went through, each exactly once
  (a replayed retry is answered from the idempotency store and not audited again);
- the audit chain verifies.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from installers.bench import BenchEnvironment
from installers.drills.loadgen import PRESCRIBERS, Ledger

# Reaching a status (prescription_transition.to_status) means these successful audit events,
# (entity the event names, action): the prescription's own and, from ordering on, its order's.
AUDITED_STEPS: dict[str, tuple[str, str]] = {
    "draft": ("prescription", "prescription.create_draft"),
    "submitted": ("prescription", "prescription.submit"),
    "approved": ("prescription", "review.approved"),
    "ordered": ("order", "order.create"),
    "accepted": ("order", "order.accept"),
    "dispatched": ("order", "order.dispatch"),
    "delivered": ("order", "order.confirm_receipt"),
}


@dataclass
class Check:
    name: str
    ok: bool
    figures: str
    lost: int = 0  # acknowledged and not stored (or an event missing)
    duplicated: int = 0  # stored twice, or stored without the client having been told


def check_all(env: BenchEnvironment, ledger: Ledger) -> list[Check]:
    stored = _load_prescriptions(env)
    checks = [_prescriptions(ledger, stored), _orders(env, ledger, stored),
              _trace_codes(env, ledger), _audit(env, stored)]
    checks.append(asyncio.run(_chain(env)))
    return checks


async def _chain(env: BenchEnvironment) -> Check:
    """The chain, and the signed checkpoints of its head that the server processes wrote as
    they went (a checkpoint the chain no longer reaches would show events lost)."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from server.audit.checkpoints import load_checkpoints
    from server.audit.verify import verify_chain
    from server.core.db import make_engine
    from server.core.keys import KeyMaterial

    key = KeyMaterial.load(env.base / "keys").audit_signing_key.public_key()
    checkpoints, problems = load_checkpoints(env.base / "checkpoints", key)
    engine = make_engine(env.urls.owner, pool_size=1)
    try:
        async with AsyncSession(engine) as session:
            result = await verify_chain(session, checkpoints, warnings=problems)
    finally:
        await engine.dispose()
    return Check("audit chain", result.ok and not problems,
                 result.describe() + "".join(f"; {p}" for p in problems))


def _load_prescriptions(env: BenchEnvironment) -> dict[str, int]:
    """The prescriptions of the load's doctor-patient pairs, id -> rows with that id."""
    doctors = [env.account(d)["id"] for d, _ in PRESCRIBERS]
    patients = [p["id"] for p in env.demo["patients"] if p["name"] in {n for _, n in PRESCRIBERS}]
    rows = env.sql("SELECT id::text, count(*) FROM prescription WHERE doctor_id = ANY(%s::uuid[])"
                   " AND patient_id = ANY(%s::uuid[]) GROUP BY id", (doctors, patients))
    return {r[0]: r[1] for r in rows}


def _prescriptions(ledger: Ledger, stored: dict[str, int]) -> Check:
    acked = ledger.prescriptions
    lost = acked - stored.keys()
    unacknowledged = stored.keys() - acked
    twice = [i for i, n in stored.items() if n > 1]
    return Check("prescriptions", not lost and not unacknowledged and not twice,
                 f"{len(acked)} acknowledged, {len(lost)} lost, {len(unacknowledged)} stored "
                 f"without acknowledgement, {len(twice)} stored twice",
                 len(lost), len(unacknowledged) + len(twice))


def _orders(env: BenchEnvironment, ledger: Ledger, stored: dict[str, int]) -> Check:
    rows = env.sql("SELECT id::text, prescription_id::text FROM circulation_order"
                   " WHERE prescription_id = ANY(%s::uuid[])", (list(stored),))
    ids = {r[0] for r in rows}
    per_prescription = Counter(r[1] for r in rows)
    lost = ledger.orders - ids
    unacknowledged = ids - ledger.orders
    several = [p for p, n in per_prescription.items() if n > 1]
    return Check("orders", not lost and not unacknowledged and not several,
                 f"{len(ledger.orders)} acknowledged, {len(lost)} lost, {len(unacknowledged)} "
                 f"stored without acknowledgement, {len(several)} prescriptions ordered twice",
                 len(lost), len(unacknowledged) + len(several))


def _trace_codes(env: BenchEnvironment, ledger: Ledger) -> Check:
    twice = env.sql("SELECT trace_code FROM dispensed_package GROUP BY trace_code"
                    " HAVING count(*) > 1")
    stored = {r[0] for r in env.sql("SELECT trace_code FROM dispensed_package")}
    acked = set(ledger.trace_codes)
    lost = acked - stored
    unacknowledged = stored - acked
    return Check("traceability codes",
                 not twice and not lost and not unacknowledged
                 and len(acked) == len(ledger.trace_codes),
                 f"{len(ledger.trace_codes)} dispensing scans acknowledged, {len(twice)} codes "
                 f"dispensed twice, {len(lost)} lost, {len(unacknowledged)} stored without "
                 "acknowledgement", len(lost),
                 len(twice) + len(unacknowledged) + len(ledger.trace_codes) - len(acked))


def _audit(env: BenchEnvironment, stored: dict[str, int]) -> Check:
    """Each prescription's audit events against the steps its status history shows."""
    ids = list(stored)
    reached: dict[str, set[str]] = {i: {"draft"} for i in ids}
    for rx, status in env.sql("SELECT prescription_id::text, to_status FROM "
                              "prescription_transition WHERE prescription_id = ANY(%s::uuid[])",
                              (ids,)):
        reached[rx].add(status)
    order_of = {r[1]: r[0] for r in env.sql(
        "SELECT id::text, prescription_id::text FROM circulation_order"
        " WHERE prescription_id = ANY(%s::uuid[])", (ids,))}
    packages = Counter(r[0] for r in env.sql(
        "SELECT order_id::text FROM dispensed_package WHERE order_id = ANY(%s::uuid[])",
        (list(order_of.values()),)))
    events = Counter((r[0], r[1], r[2]) for r in env.sql(
        "SELECT entity_type, entity_id, action FROM audit_event WHERE outcome = 'success'"
        " AND entity_id = ANY(%s)", (ids + list(order_of.values()),)))
    missing: list[str] = []
    repeated: list[str] = []
    expected_total = 0
    for rx in ids:
        order = order_of.get(rx)
        wanted = [(kind, action) for status, (kind, action) in AUDITED_STEPS.items()
                  if status in reached[rx]]
        for kind, action in wanted:
            entity = rx if kind == "prescription" else order
            count = events[(kind, str(entity), action)]
            expected_total += 1
            if count == 0:
                missing.append(f"{rx} {action}")
            elif count > 1:
                repeated.append(f"{rx} {action} x{count}")
        if order is not None:  # one scan event per package dispensed
            scans = events[("order", order, "dispense.scan")]
            expected_total += packages[order]
            if scans != packages[order]:
                (missing if scans < packages[order] else repeated).append(
                    f"{rx} dispense.scan {scans} for {packages[order]} packages")
    return Check("audit events", not missing and not repeated,
                 f"{expected_total} expected events of {len(ids)} prescriptions: "
                 f"{len(missing)} missing, {len(repeated)} repeated"
                 + (f" (e.g. {(missing + repeated)[0]})" if missing or repeated else ""),
                 len(missing), len(repeated))
