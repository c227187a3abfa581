"""The adapter against the simulator of the insurance centre: the whole pre-check -> sign ->
upload -> settle -> write-off path, a revoke, the centre's refusals, and tampering in both
directions."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import httpx
import pytest

from common import signing
from server.insurance import envelope
from server.insurance import transactions as tx
from server.insurance.client import (
    InsurancePlatform,
    PlatformRefused,
    PlatformUnavailable,
    insurance_platform_for_url,
)
from server.insurance.simulator import SimulatorState, create_simulator, load_state
from server.personal_data.id_number import make_id_number
from tests.asgi_server import AsgiServer

CERTNO = make_id_number("330106", date(1962, 3, 14), 17)
STATIN = "XC10AAR004A001010100001"  # 瑞舒伐他汀钙片: class B in the simulator
IBUPROFEN = "XM01AEB001A001010100001"  # 布洛芬: class A


def prescription(number: str = "RX20260501000001", certno: str = CERTNO,
                 **line: Any) -> dict[str, Any]:
    return {"hospRxno": number, "fixmedinsCode": "H1", "fixmedinsName": "滨江市第一人民医院",
            "prscTime": "2026-05-01 08:30:00", "psnName": "张伟", "psnCertType": "01",
            "certno": certno, "rxdrugdetail": [
                {"medListCodg": STATIN, "drugGenname": "瑞舒伐他汀钙片", "drugCnt": 2,
                 "drugPric": "28.60", "drugSumamt": "57.20"},
                {"medListCodg": IBUPROFEN, "drugGenname": "布洛芬缓释胶囊", "drugCnt": 1,
                 "drugPric": "15.00", "drugSumamt": "15.00", **line}]}


class Tamper(httpx.AsyncBaseTransport):
    """A man in the middle between the adapter and the centre, changing what passes."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.change_request: dict[str, str] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.change_request is not None:
            body = {**json.loads(request.content), **self.change_request}
            request = httpx.Request(request.method, request.url, json=body)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def sim() -> SimulatorState:
    return SimulatorState()


@pytest.fixture
def tamper(sim: SimulatorState) -> Tamper:
    return Tamper(httpx.ASGITransport(app=create_simulator(sim)))


@pytest.fixture
async def platform(sim: SimulatorState, tamper: Tamper):
    adapter = InsurancePlatform("http://insurance.sim/epc", sim.enrol(), timeout=2,
                                transport=tamper)
    yield adapter
    await adapter.aclose()


async def uploaded(platform: InsurancePlatform, rx: dict[str, Any]) -> dict[str, Any]:
    checked = await platform.pre_check(rx)
    signed = await platform.sign({
        "rxTraceCode": checked["rxTraceCode"], "fixmedinsCode": "H1",
        "originalValue": base64.b64encode(signing.canonical_bytes(rx)).decode()})
    upload = await platform.upload({"rxTraceCode": checked["rxTraceCode"],
                                    "hiRxno": checked["hiRxno"], "rxFile": signed["rxFile"],
                                    "signDigest": signed["signDigest"], "fixmedinsCode": "H1"})
    assert upload["rxStasCodg"] == tx.RX_VALID
    return {**checked, **signed}


def settle_body(hi_rxno: str, order: str = "O20260501000001") -> dict[str, Any]:
    return {"hiRxno": hi_rxno, "fixmedinsCode": "P1", "medinsSetlId": order, "detail": [
        {"medListCodg": STATIN, "cnt": 2, "pric": "28.60", "sumamt": "57.20"},
        {"medListCodg": IBUPROFEN, "cnt": 1, "pric": "15.00", "sumamt": "15.00"}]}


def write_off_body(hi_rxno: str, setl_id: str, *codes: str) -> dict[str, Any]:
    return {"hiRxno": hi_rxno, "setlId": setl_id, "pharName": "钱药师", "dspeerName": "康店员",
            "detail": [{"medListCodg": STATIN, "cnt": len(codes), "bchno": "B2026001",
                        "drugtracinfo": [{"drug_trac_codg": c} for c in codes]}]}


class TestWholePath:
    async def test_pre_check_sign_upload_settle_write_off(self, platform, sim):
        rx = prescription()
        up = await uploaded(platform, rx)
        # The centre's signature is a real SM2 signature of what was pre-checked.
        assert signing.verify(sim.centre.platform_seal.public, signing.canonical_bytes(rx),
                              base64.b64decode(up["signDigest"]))
        assert (await platform.review_result(up["hiRxno"]))["rxChkStasCodg"] == "1"
        assert (await platform.settlement(up["hiRxno"]))["setlStas"] == "0"

        settled = await platform.settle(settle_body(up["hiRxno"]))
        # 57.20 class B (90% eligible) + 15.00 class A: fund 70% of 66.48 = 46.53;
        # the personal account (500 元) pays the remaining 25.67; no cash.
        assert settled["medfeeSumamt"] == "72.20" and settled["fundPaySumamt"] == "46.53"
        assert settled["acctPay"] == "25.67" and settled["psnCashPay"] == "0.00"
        assert await platform.settle(settle_body(up["hiRxno"])) == settled  # asked again
        assert sim.centre.persons[CERTNO].balance_fen == 50_000 - 2567

        done = await platform.write_off(write_off_body(up["hiRxno"], settled["setlId"],
                                                       "81234560000000000011",
                                                       "81234560000000000028"))
        assert done["rxStasCodg"] == tx.RX_USED
        result = await platform.settlement(up["hiRxno"])
        assert result["takeDrugFlag"] == "1" and result["setlId"] == settled["setlId"]
        detail = await platform.detail(up["hiRxno"])
        assert detail["hospRxno"] == rx["hospRxno"] and detail["rxStasName"] == "已使用"
        assert [c.code_2021 for c in platform.calls[:3]] == ["7101"] * 3
        assert {c.outcome for c in platform.calls} == {"ok"}

        # Dispensed: the prescription can no longer be revoked.
        with pytest.raises(PlatformRefused) as caught:
            await platform.revoke({"hiRxno": up["hiRxno"], "undoRea": "患者取消"})
        assert caught.value.code == tx.DISPENSED and "不能撤销" in caught.value.message
        assert platform.calls[-1].code_2021 == "7104"

    async def test_revoke_reverses_the_settlement(self, platform, sim):
        up = await uploaded(platform, prescription())
        await platform.settle(settle_body(up["hiRxno"]))
        revoked = await platform.revoke({"hiRxno": up["hiRxno"], "fixmedinsCode": "H1",
                                         "undoRea": "药店退单"})
        assert revoked["rxStasCodg"] == tx.RX_REVOKED
        assert sim.centre.persons[CERTNO].balance_fen == 50_000
        assert (await platform.settlement(up["hiRxno"]))["setlStas"] == "2"
        for call in (platform.settle(settle_body(up["hiRxno"], "O2")),
                     platform.write_off(write_off_body(up["hiRxno"], "ST1", "8123"))):
            with pytest.raises(PlatformRefused) as caught:
                await call
            assert caught.value.code == tx.WRONG_STATE

    async def test_the_catalogue_answers_from_the_centre(self, platform):
        found = await platform.catalogue("布洛芬")
        assert found["list"] == [{"drugGenname": "布洛芬", "hilistType": "甲类"}]


class TestRefusals:
    async def test_a_patient_not_insured(self, platform, sim):
        sim.centre.set_person(CERTNO, insured=False)
        with pytest.raises(PlatformRefused) as caught:
            await platform.pre_check(prescription())
        assert caught.value.code == tx.NOT_INSURED and "张伟" in caught.value.message

    async def test_a_drug_not_covered(self, platform):
        with pytest.raises(PlatformRefused) as caught:
            await platform.pre_check(prescription(drugGenname="西瓜霜润喉片"))
        assert caught.value.code == tx.NOT_COVERED and "第 2 行" in caught.value.message

    async def test_a_wrong_id_number_names_the_field(self, platform):
        with pytest.raises(PlatformRefused) as caught:
            await platform.pre_check(prescription(certno=CERTNO[:-1] + "0"
                                                  if CERTNO[-1] != "0" else CERTNO[:-1] + "1"))
        assert caught.value.code == tx.INVALID_FIELD and "certno" in caught.value.message

    async def test_upload_without_the_centre_signature(self, platform):
        checked = await platform.pre_check(prescription())
        with pytest.raises(PlatformRefused) as caught:
            await platform.upload({"rxTraceCode": checked["rxTraceCode"],
                                   "hiRxno": checked["hiRxno"], "signDigest": "x"})
        assert caught.value.code == tx.WRONG_STATE

    async def test_signing_other_content_than_was_pre_checked(self, platform):
        checked = await platform.pre_check(prescription())
        forged = prescription(drugCnt=9)
        with pytest.raises(PlatformRefused, match="不符"):
            await platform.sign({"rxTraceCode": checked["rxTraceCode"], "originalValue":
                                 base64.b64encode(signing.canonical_bytes(forged)).decode()})


class TestEnvelopeBothWays:
    async def test_a_tampered_request_is_refused_by_the_centre(self, platform, sim, tamper):
        creds = platform.credentials
        # Other data, encrypted under the right key: decrypts, but is not what was signed.
        swapped = envelope.sm4_encrypt(envelope.data_key(creds.app_id, creds.app_secret),
                                       signing.canonical_bytes(prescription(drugCnt=9)))
        good = envelope.seal({"x": 1}, app_id="A", app_secret="b" * 32,
                             signer=signing.load_private_key(signing.generate_private_key()),
                             now=envelope.now_ms())
        for change, code in (({"encData": swapped.hex().upper()}, envelope.BAD_SIGNATURE),
                             ({"encData": "00" * 16}, envelope.UNDECRYPTABLE),
                             ({"signData": good["signData"]}, envelope.BAD_SIGNATURE),
                             ({"timestamp": "1"}, envelope.EXPIRED)):
            tamper.change_request = change
            with pytest.raises(PlatformRefused) as caught:
                await platform.pre_check(prescription())
            assert caught.value.code == code, change
        assert not sim.centre.rxs  # nothing was accepted
        tamper.change_request = None
        assert (await platform.pre_check(prescription()))["hiRxno"]

    async def test_a_tampered_answer_is_refused_by_the_adapter(self, platform, sim):
        sim.mode = "tamper"
        with pytest.raises(PlatformUnavailable, match="未通过验证"):
            await platform.pre_check(prescription())
        assert platform.calls[-1].outcome == "unavailable"

    async def test_an_answer_signed_by_another_key_is_refused(self, sim, tamper):
        impostor = SimulatorState()  # a centre with its own key, same application register
        credentials = sim.enrol()
        impostor.enrol(app_id=credentials.app_id, app_secret=credentials.app_secret,
                       private_key_pem=credentials.private_key_pem)
        adapter = InsurancePlatform("http://insurance.sim/epc", credentials,
                                    transport=httpx.ASGITransport(app=create_simulator(impostor)))
        with pytest.raises(PlatformUnavailable, match="验签失败"):
            await adapter.pre_check(prescription())
        await adapter.aclose()

    async def test_a_replayed_request_is_refused(self, sim):
        credentials = sim.enrol()
        body = envelope.seal(prescription(), app_id=credentials.app_id,
                             app_secret=credentials.app_secret,
                             signer=signing.load_private_key(credentials.private_key_pem),
                             now=envelope.now_ms())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_simulator(sim)),
                                     base_url="http://insurance.sim") as http:
            first = (await http.post("/epc/uploadChk", json=body)).json()
            again = (await http.post("/epc/uploadChk", json=body)).json()
            unknown = await http.post("/epc/uploadChk", json={**body, "appId": "NOBODY"})
            garbage = await http.post("/epc/uploadChk", content=b"\xff<html>")
        assert first["code"] == 0
        assert again["code"] == envelope.REPLAYED and again["requestNonce"] == body["nonce"]
        assert unknown.status_code == 401 and unknown.json()["code"] == envelope.UNKNOWN_APP
        assert garbage.status_code == 400

    async def test_a_clock_out_of_step_is_refused(self, sim):
        adapter = InsurancePlatform(
            "http://insurance.sim/epc", sim.enrol(),
            transport=httpx.ASGITransport(app=create_simulator(sim)),
            now_ms=lambda: envelope.now_ms() - envelope.MAX_SKEW_MS - 60_000)
        # The centre refuses the request; its answer is as stale to the adapter's clock.
        with pytest.raises(PlatformUnavailable, match="时间戳"):
            await adapter.pre_check(prescription())
        assert sim.refusals[-1][1] == envelope.EXPIRED and not sim.centre.rxs
        await adapter.aclose()


class TestOverRealSockets:
    async def test_the_simulator_process_state_and_a_centre_that_goes_away(self, tmp_path):
        sim, credentials = load_state(tmp_path / "sim")
        saved = json.loads((tmp_path / "sim" / "client.json").read_text())
        assert saved["appId"] == credentials.app_id
        assert load_state(tmp_path / "sim")[1] == credentials  # kept across runs
        server = AsgiServer(create_simulator(sim)).start()
        adapter = insurance_platform_for_url(f"{server.url}/epc",
                                             credentials_file=tmp_path / "sim" / "client.json",
                                             timeout=2)
        assert adapter is not None
        try:
            up = await uploaded(adapter, prescription())
            assert (await adapter.settle(settle_body(up["hiRxno"])))["setlStas"] == "1"
            server.stop()
            with pytest.raises(PlatformUnavailable, match="无法连接"):
                await adapter.settlement(up["hiRxno"])
        finally:
            server.stop()
            await adapter.aclose()

    async def test_a_slow_or_down_centre_is_unavailable_not_refused(self, platform, sim):
        sim.mode, sim.delay = "slow", 5
        platform.timeout = 0.3
        with pytest.raises(PlatformUnavailable, match="超时"):
            await platform.pre_check(prescription())
        sim.mode = "down"
        with pytest.raises(PlatformUnavailable, match="HTTP 503"):
            await platform.pre_check(prescription())


class TestChoosingByUrl:
    def test_no_url_means_no_centre_and_unknown_schemes_are_refused(self, tmp_path):
        assert insurance_platform_for_url("") is None
        with pytest.raises(ValueError, match="sim://"):
            insurance_platform_for_url("ftp://x")
        with pytest.raises(ValueError, match="RXP_INSURANCE_CREDENTIALS"):
            insurance_platform_for_url("http://x/epc", credentials_file=tmp_path / "none")
