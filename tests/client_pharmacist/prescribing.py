"""A doctor prescribing through the API for the review app's tests, and arranging which
pharmacist of 滨江市第一人民医院 (陈静, senior; 刘洋) receives the tasks."""

from __future__ import annotations

from collections.abc import Callable

from common.api.models import DraftIn, Prescription, QueueItem, SearchHit
from server.seed.demo import DemoGroup
from tests.clients import Staff, patient_id, sign_and_submit

H1_PHARMACISTS = ("pharm_chen", "pharm_liu")


def find_product(api_staff: Staff, query: str, specification: str | None = None) -> SearchHit:
    for item in api_staff.api.search_catalogue(query, limit=50).items:
        if specification is None or item.specification == specification:
            return item
    raise AssertionError(f"no product {query} {specification}")


def draft_for(demo: DemoGroup, doctor: Staff, *, patient: str, product: SearchHit,
              frequency: str = "tid", dose: str = "1", notes: str | None = None) -> DraftIn:
    unit = product.package.split("/")[0].lstrip("0123456789.")
    return DraftIn.model_validate({
        "patient_id": patient_id(demo, patient), "visit_type": "outpatient",
        "diagnoses": [{"code": "I48.9", "name": "心房颤动"}], "notes": notes,
        "lines": [{"product_id": product.id, "dose": dose, "dose_unit": unit, "route": "口服",
                   "frequency": frequency, "days": 7}]})


def submit(demo: DemoGroup, doctor: Staff, *, patient: str = "李娜", query: str = "布洛芬",
           specification: str | None = None, frequency: str = "tid", dose: str = "1"
           ) -> Prescription:
    """Signed and submitted; warnings that need a reason get the doctor's override."""
    product = find_product(doctor, query, specification)
    body = draft_for(demo, doctor, patient=patient, product=product, frequency=frequency,
                     dose=dose)
    return sign_and_submit(doctor, body, doctor.api.create_draft(body))


def submit_clean(demo: DemoGroup, doctor: Staff) -> Prescription:
    """Amoxicillin 0.5 g tid for 李娜 (no allergy): nothing the checks object to."""
    return submit(demo, doctor, patient="李娜", query="amxl", specification="0.25g", dose="2")


def submit_warfarin_patient_aspirin(demo: DemoGroup, doctor: Staff) -> Prescription:
    """刘洋 takes warfarin: aspirin is an interaction hit the doctor overrides."""
    return submit(demo, doctor, patient="刘洋", query="阿司匹林", specification="100mg",
                  frequency="qd")


def only_on_duty(staff: Callable[..., Staff], username: str) -> dict[str, Staff]:
    """Every H1 pharmacist but `username` goes off duty, so new tasks go to `username`."""
    people = {name: staff(name) for name in H1_PHARMACISTS}
    for name, person in people.items():
        person.api.set_duty(name == username)
    return people


def queue_item(pharmacist: Staff, prescription: Prescription) -> QueueItem | None:
    return next((i for i in pharmacist.api.review_queue(limit=200).items
                 if i.task.prescription_id == prescription.id), None)
