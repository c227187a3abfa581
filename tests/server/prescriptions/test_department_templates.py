"""A department's shared templates as the administrators see them: listed with the products of
their lines, removed by an administrator of the department's hospital (audited), out of reach
for other hospitals' administrators."""

from __future__ import annotations

from tests.helpers import audit_rows
from tests.server.clinic import line


async def test_list_and_retire_a_department_template(clinic, demo, headers_for, db) -> None:
    doctor = await clinic.actor("doctor_wang")
    product = await clinic.product(doctor, "布洛芬")
    created = await doctor.call("POST", "/prescription-templates", json={
        "name": "发热头痛", "scope": "department",
        "diagnoses": [{"code": "R50.9", "name": "发热"}], "lines": [line(product)]})
    assert created.status_code == 201, created.text
    template = created.json()
    personal = await doctor.call("POST", "/prescription-templates", json={
        "name": "我的常用", "scope": "personal", "lines": [line(product)]})
    assert personal.status_code == 201
    department = demo.organisations["H1-IM"]

    admin = await headers_for("admin_h1")
    listed = await clinic.client.get(f"/prescription-templates/departments/{department}",
                                     headers=admin)
    assert listed.status_code == 200, listed.text
    [shown] = listed.json()
    assert shown["name"] == "发热头痛"
    assert shown["products"] == [f"{product['generic_name']} {product['specification']}"]

    other = await clinic.client.get(f"/prescription-templates/departments/{department}",
                                    headers=await headers_for("doctor_sun"))
    assert other.status_code == 403
    elsewhere = await clinic.client.delete(
        f"/prescription-templates/departments/{demo.organisations['H2-IM']}/{template['id']}",
        headers=await headers_for("admin_group"))
    assert elsewhere.status_code == 404

    retired = await clinic.client.delete(
        f"/prescription-templates/departments/{department}/{template['id']}", headers=admin)
    assert retired.status_code == 204, retired.text
    left = await doctor.call("GET", "/prescription-templates")
    assert [t["name"] for t in left.json()] == ["我的常用"]
    [event] = audit_rows(db.owner, "action = 'prescription_template.retire'")
    assert event["summary"]["name"] == "发热头痛"
