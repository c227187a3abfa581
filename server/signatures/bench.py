"""How fast each algorithm signs and verifies, on this machine, in this process (one core).

`measure(algorithm)` returns operations per second for a prescription-sized document
(canonicalisation included, as on the server: the document is canonicalised, then verified).
`bench_lines()` prints them in the `./rxp bench` shape. The submit target (200 prescriptions/s
on 2 cores, each verified once on submit and again when read for review and for dispensing)
needs about 600 verifications/s in all; the line's target is that figure for one core, so a
PASS leaves the second core for everything else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from common import signing

# Verifications a submitted prescription costs over its life: submit, review read, dispensing.
VERIFICATIONS_PER_PRESCRIPTION = 3
SUBMIT_TARGET_PER_SECOND = 200
# Signing happens in the apps, one document at a time: 50 ms is the most a click may wait.
SIGN_TARGET_PER_SECOND = 20


@dataclass(frozen=True)
class SignatureSpeed:
    algorithm: str
    sign_per_second: float
    verify_per_second: float
    document_bytes: int


def sample_prescription(lines: int = 5) -> dict[str, Any]:
    """A realistic signed document: header and five lines, Chinese text, decimals, times."""
    return {
        "document": "prescription/1",
        "id": "0b5e6c1e-3f1d-4c59-9a51-9f0e3d2c7a10",
        "patient": {"id": "6f1c2a8e-0d5b-4a57-b4d1-2c9f7e8a1b3c", "name": "张伟", "sex": "male",
                    "birth_date": "1956-03-12", "weight_kg": Decimal("68.5")},
        "hospital": "滨江市第一人民医院", "department": "内科", "doctor": "王建国",
        "visit_type": "outpatient", "diagnoses": [{"code": "I10.x00", "name": "原发性高血压"}],
        "issued_at": datetime(2026, 5, 1, 8, 30, tzinfo=UTC), "valid_days": 3,
        "lines": [{"product_code": f"XC01CAA0001010{n:09d}", "generic_name": "苯磺酸氨氯地平片",
                   "specification": "5mg*28片", "dose": Decimal("5"), "dose_unit": "mg",
                   "route": "口服", "frequency": "qd", "days": 28, "quantity": Decimal("1"),
                   "unit": "盒", "instructions": "每日一次，早餐后服用"} for n in range(lines)],
    }


def _rate(operation: Callable[[], object], seconds: float) -> float:
    operation()  # warm up (key caches, first-call costs)
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(20):
            operation()
        count += 20
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def measure(algorithm: str, *, seconds: float = 1.0) -> SignatureSpeed:
    private = signing.load_private_key(signing.generate_private_key(algorithm))
    public = signing.load_public_key(private.public.pem)
    document = sample_prescription()
    signature = signing.sign_document(private, document)
    assert signing.verify_document(public, document, signature)
    return SignatureSpeed(
        algorithm=algorithm,
        sign_per_second=_rate(lambda: signing.sign_document(private, document), seconds),
        verify_per_second=_rate(lambda: signing.verify_document(public, document, signature),
                                seconds),
        document_bytes=len(signing.canonical_bytes(document)),
    )


def measure_all(*, seconds: float = 1.0) -> list[SignatureSpeed]:
    return [measure(algorithm, seconds=seconds) for algorithm in signing.ALGORITHMS]


def bench_lines(*, seconds: float = 1.0) -> list[str]:
    target = SUBMIT_TARGET_PER_SECOND * VERIFICATIONS_PER_PRESCRIPTION
    lines = []
    for speed in measure_all(seconds=seconds):
        verdict = "PASS" if speed.verify_per_second >= target else "FAIL"
        lines.append(f"BENCH verify-{speed.algorithm} {speed.verify_per_second:.0f} verify/s"
                     f" target >= {target} {verdict}")
        verdict = "PASS" if speed.sign_per_second >= SIGN_TARGET_PER_SECOND else "FAIL"
        lines.append(f"BENCH sign-{speed.algorithm} {speed.sign_per_second:.0f} sign/s"
                     f" target >= {SIGN_TARGET_PER_SECOND} {verdict}")
    return lines


if __name__ == "__main__":
    for line in bench_lines():
        print(line)
