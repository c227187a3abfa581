"""RDE^O11 over a real MLLP socket: prescriptions created, answered AA / AE / AR, repeats
answered the same without creating anything, GB18030 and UTF-8, broken frames."""

from __future__ import annotations

import asyncio

import pytest

from server.hl7 import mllp
from tests.helpers import audit_rows, sql
from tests.server.hl7.conftest import NIFEDIPINE_STANDARD_CODE, er7, patient, rde_o11


def prescriptions(db) -> int:
    return sql(db.owner, "SELECT count(*) FROM prescription")[0][0]


class TestOrderAccepted:
    async def test_a_well_formed_order_becomes_a_draft_of_the_named_doctor(self, connect, db,
                                                                           demo):
        zhang = patient(demo, "张伟")
        before = prescriptions(db)
        client = await connect()
        message = rde_o11(patient_card=zhang["hospital_card"], patient_name=("张", "伟"),
                          lines=[{}, {"code": NIFEDIPINE_STANDARD_CODE, "dose": "30",
                                      "frequency": "QD", "days": "1^wk"}])
        answer = await client.send(message)

        assert answer.code == "AA", answer.text
        assert answer.control_id == str(message.msh.msh_10.value)
        assert str(answer.message.msh.msh_9.to_er7()) == "RRE^O12^RRE_O12"
        assert prescriptions(db) == before + 1
        [(rx_id, number, status, doctor, patient_id, visit_type, _)] = sql(
            db.owner, "SELECT p.id, p.number, p.status, u.username, p.patient_id, p.visit_type,"
                      " p.notes FROM prescription p JOIN staff_user u ON u.id = p.doctor_id"
                      " ORDER BY p.created_at DESC LIMIT 1")
        assert (status, doctor, str(patient_id), visit_type) == (
            "draft", "doctor_wang", zhang["id"], "outpatient")
        assert number in answer.text
        lines = sql(db.owner, "SELECT line_no, generic_name, dose, dose_unit, route, frequency,"
                              " days FROM prescription_line WHERE prescription_id = %s"
                              " ORDER BY line_no", (rx_id,))
        assert [(n, name, f"{dose.normalize():f}", unit, route, freq, days)
                for n, name, dose, unit, route, freq, days in lines] == [
            (1, "苯磺酸氨氯地平片", "5", "mg", "口服", "qd", 7),
            (2, "硝苯地平控释片", "30", "mg", "口服", "qd", 7)]
        # The answer names our number for each of the HIS's order lines.
        orcs = [(str(o.orc.orc_2.to_er7()), str(o.orc.orc_3.to_er7()))
                for group in answer.message.children.get("RRE_O12_RESPONSE")
                for o in group.children.get("RRE_O12_ORDER")]
        group = str(message.children.get("RDE_O11_ORDER")[0].orc.orc_4.value)
        assert orcs == [(f"{group}-1", f"{number}-1^RXP"), (f"{group}-2", f"{number}-2^RXP")]
        [(action, actor_kind, outcome)] = [
            (r["action"], r["actor_kind"], r["outcome"])
            for r in audit_rows(db.owner, "action = 'hl7.receive'")]
        assert (action, actor_kind, outcome) == ("hl7.receive", "client", "success")

    async def test_a_repeat_gets_the_same_answer_and_creates_nothing(self, connect, db, demo):
        zhang = patient(demo, "张伟")
        message = rde_o11(patient_card=zhang["hospital_card"])
        first = await (await connect()).send(message)
        before = prescriptions(db)
        # Twice more: on a new connection, and two at once on two connections.
        again = await (await connect()).send(message)
        clients = [await connect(), await connect()]
        together = await asyncio.gather(*(c.send(message) for c in clients))

        assert first.code == "AA"
        assert {again.raw, *(a.raw for a in together)} == {first.raw}
        assert prescriptions(db) == before
        assert sql(db.owner, "SELECT count(*) FROM hl7_inbound_message")[0][0] == 1

    async def test_gb18030_is_read_and_answered_in_gb18030(self, connect, db, demo):
        zhang = patient(demo, "张伟")
        message = rde_o11(patient_card=zhang["hospital_card"], patient_name=("张", "伟"),
                          charset="GB 18030-2000")
        client = await connect()
        answer = await client.send(message, encoding="gb18030")

        assert answer.code == "AA", answer.text
        assert "待医生签名" in answer.text
        assert sql(db.owner, "SELECT count(*) FROM prescription WHERE status = 'draft'"
                             " AND notes LIKE 'HIS%%'")[0][0] == 1

    async def test_an_undeclared_gb18030_message_is_recognised(self, connect, demo):
        zhang = patient(demo, "张伟")
        message = rde_o11(patient_card=zhang["hospital_card"], patient_name=("张", "伟"),
                          charset="")
        answer = await (await connect()).send(message, encoding="gb18030")
        assert answer.code == "AA", answer.text


class TestOrderInError:
    async def test_missing_patient_gets_ae_naming_pid(self, connect, db):
        before = prescriptions(db)
        answer = await (await connect()).send(rde_o11(with_pid=False))
        assert answer.code == "AE"
        [(location, code, text)] = answer.errors()
        assert (location, code) == ("PID^1", "100")
        assert "患者" in text
        assert answer.text.split("\r")[1].startswith("MSA|AE|")
        assert "PID" in str(answer.message.msa.msa_3.value)
        assert prescriptions(db) == before

    async def test_every_field_at_fault_is_named(self, connect, demo):
        zhang = patient(demo, "张伟")
        message = rde_o11(patient_card=zhang["hospital_card"], order_control="NW",
                          lines=[{"frequency": "EVERY2", "dose": "lots", "diagnosis": "高血压"}])
        answer = await (await connect()).send(message)
        assert answer.code == "AE"
        assert sorted((loc, code) for loc, code, _ in answer.errors()) == [
            ("ORC^1^1", "103"), ("RXE^1^27", "102"), ("RXE^1^3", "102"), ("TQ1^1^3", "103")]

    @pytest.mark.parametrize(("change", "location", "code"), [
        ({"patient_card": "H199999999"}, "PID^1^3", "204"),
        ({"patient_name": ("李", "四")}, "PID^1^5", "204"),
        ({"doctor": "pharm_chen"}, "ORC^1^12", "204"),
        ({"doctor": "doctor_sun"}, "ORC^1^12", "204"),  # another hospital's doctor
        ({"lines": [{}, {"code": "XX0000000000000000000000"}]}, "RXE^2^2", "204"),
    ])
    async def test_what_the_platform_does_not_know_is_named(self, connect, db, demo, change,
                                                            location, code):
        zhang = patient(demo, "张伟")
        before = prescriptions(db)
        answer = await (await connect()).send(
            rde_o11(**{"patient_card": zhang["hospital_card"], **change}))
        assert answer.code == "AE", answer.text
        assert [(loc, c) for loc, c, _ in answer.errors()] == [(location, code)]
        assert prescriptions(db) == before

    async def test_a_placer_group_is_taken_once(self, connect, demo):
        zhang = patient(demo, "张伟")
        client = await connect()
        first = await client.send(rde_o11(patient_card=zhang["hospital_card"],
                                          placer_group="G-ONCE"))
        second = await client.send(rde_o11(patient_card=zhang["hospital_card"],
                                           placer_group="G-ONCE"))
        assert (first.code, second.code) == ("AA", "AE")
        assert [(loc, c) for loc, c, _ in second.errors()] == [("ORC^1^4", "205")]


class TestRejected:
    async def test_garbage_gets_ar_and_the_connection_goes_on(self, connect, demo):
        client = await connect()
        await client.send_raw(mllp.wrap(b"\x00\xffthis is not HL7 at all"))
        garbage = await client.answer()
        assert garbage.code == "AR"
        assert garbage.control_id == ""
        zhang = patient(demo, "张伟")
        assert (await client.send(rde_o11(patient_card=zhang["hospital_card"]))).code == "AA"

    async def test_unknown_message_type_gets_ar_naming_msh_9(self, connect):
        text = er7(rde_o11()).replace("RDE^O11^RDE_O11", "ADT^A01^ADT_A01")
        answer = await (await connect()).send(text)
        assert answer.code == "AR"
        assert [(loc, c) for loc, c, _ in answer.errors()] == [("MSH^1^9", "200")]

    async def test_unknown_sender_gets_ar_naming_msh_3(self, connect):
        answer = await (await connect()).send(rde_o11(sender="someone-else"))
        assert answer.code == "AR"
        assert [(loc, c) for loc, c, _ in answer.errors()] == [("MSH^1^3", "204")]

    async def test_a_wrong_declared_encoding_gets_ar_naming_msh_18(self, connect, demo):
        zhang = patient(demo, "张伟")
        message = rde_o11(patient_card=zhang["hospital_card"], patient_name=("张", "伟"))
        client = await connect()
        # Declared UTF-8, sent in GB18030.
        await client.send_raw(mllp.wrap(er7(message).encode("gb18030")))
        answer = await client.answer()
        assert answer.code == "AR"
        assert [(loc, c) for loc, c, _ in answer.errors()] == [("MSH^1^18", "102")]

    async def test_unframed_data_gets_ar(self, connect):
        client = await connect()
        await client.send_raw(er7(rde_o11()).encode() + mllp.END)
        assert (await client.answer()).code == "AR"


class TestNoHungConnection:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"hl7_frame_timeout": 0.5, "hl7_idle_timeout": 2.0,
                                           "hl7_max_frame_bytes": 4096})

    async def test_a_partial_frame_is_answered_and_closed_in_time(self, connect, listener):
        client = await connect()
        await client.send_raw(mllp.START + b"MSH|^~\\&|his-h1|H1|RXP")
        answer = await client.answer(within=5)
        assert answer.code == "AR"
        assert await client.closed_by_peer(within=5)
        # The listener itself is unharmed.
        other = await connect()
        assert (await other.send(er7(rde_o11(with_pid=False)))).code == "AE"

    async def test_an_idle_connection_is_closed(self, connect):
        client = await connect()
        assert await client.closed_by_peer(within=5)

    async def test_an_oversized_frame_is_refused(self, connect):
        client = await connect()
        await client.send_raw(mllp.START + b"MSH|" + b"x" * 10_000 + mllp.END)
        assert (await client.answer(within=5)).code == "AR"
        assert await client.closed_by_peer(within=5)
