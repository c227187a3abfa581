"""The SM4-encrypted, SM2-signed envelope: real SM4 and SM2, sealed one way and opened the
other, and every kind of tampering refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common import signing
from server.insurance import envelope
from server.insurance.envelope import EnvelopeError, NonceBook

NOW = 1_780_000_000_000
SECRET = "0123456789abcdef0123456789abcdef"
DATA = {"hospRxno": "RX20260501000001", "psnName": "张伟", "amount": "57.20",
        "rxdrugdetail": [{"drugGenname": "苯磺酸氨氯地平片", "drugCnt": 2}]}


@pytest.fixture(scope="module")
def key() -> signing.PrivateKey:
    return signing.load_private_key(signing.generate_private_key())


def sealed(key: signing.PrivateKey, **kw: object) -> dict:
    return envelope.seal(DATA, app_id="RXPAPP01", app_secret=SECRET, signer=key,
                         now=NOW, **kw)  # type: ignore[arg-type]


def opened(body: dict, key: signing.PrivateKey, now: int = NOW) -> envelope.Opened:
    return envelope.open_sealed(body, app_secret=SECRET, verifier=key.public, now=now)


class TestSm4:
    def test_the_standard_test_vector(self):
        # GB/T 32907-2016 appendix A, example 1.
        key = bytes.fromhex("0123456789abcdeffedcba9876543210")
        block = envelope._sm4_ecb(key, key, encrypt=True)
        assert block.hex() == "681edf34d206965e86b3e94f536e4246"

    def test_padding_round_trip_and_the_key_belongs_to_the_app(self):
        key = envelope.data_key("RXPAPP01", SECRET)
        assert len(key) == 16 and key != envelope.data_key("RXPAPP02", SECRET)
        assert envelope.sm4_decrypt(key, envelope.sm4_encrypt(key, "处方".encode())) == \
            "处方".encode()
        with pytest.raises(ValueError):
            envelope.sm4_decrypt(key, b"\x00" * 15)


class TestRoundTrip:
    def test_sealed_data_is_encrypted_and_opens_to_the_same_data(self, key):
        body = sealed(key)
        assert body["encType"] == "SM4" and body["signType"] == "SM2"
        assert "张伟" not in str(body) and "RX2026" not in str(body)
        assert bytes.fromhex(body["encData"])  # uppercase hex
        result = opened(body, key)
        assert result.data == DATA and result.nonce == body["nonce"]

    def test_the_signature_is_sm2_over_the_sign_string(self, key):
        body = sealed(key, extra_fields={"code": 0, "message": "成功"})
        text = envelope.sign_string(body, DATA, SECRET)
        assert text.startswith(b"appId=RXPAPP01&code=0&data={")
        assert text.endswith(f"&key={SECRET}".encode())
        import base64
        assert signing.verify(key.public, text, base64.b64decode(body["signData"]))


class TestTampering:
    @pytest.mark.parametrize("change", [
        {"timestamp": str(NOW + 1)}, {"nonce": "f" * 32}, {"appId": "RXPAPP02"},
        {"code": 0}, {"version": "9.9.9"}])
    def test_a_changed_field_fails_the_signature(self, key, change):
        body = {**sealed(key, extra_fields={"code": 2001}), **change}
        with pytest.raises(EnvelopeError) as caught:
            opened(body, key)
        assert caught.value.code in (envelope.BAD_SIGNATURE, envelope.UNDECRYPTABLE)

    def test_changed_ciphertext_is_refused(self, key):
        body = sealed(key)
        enc = body["encData"]
        # The last block changed: bad padding, or different data under the signature.
        for replacement in ("0" * 32, enc[-32:][::-1]):
            with pytest.raises(EnvelopeError):
                opened({**body, "encData": enc[:-32] + replacement}, key)
        # A whole block swapped in from another message under the same key.
        other = envelope.seal({**DATA, "psnName": "李娜"}, app_id="RXPAPP01",
                              app_secret=SECRET, signer=key, now=NOW)
        with pytest.raises(EnvelopeError) as caught:
            opened({**body, "encData": other["encData"]}, key)
        assert caught.value.code == envelope.BAD_SIGNATURE

    def test_a_signature_by_another_key_is_refused(self, key):
        stranger = signing.load_private_key(signing.generate_private_key())
        with pytest.raises(EnvelopeError) as caught:
            opened(sealed(stranger), key)
        assert caught.value.code == envelope.BAD_SIGNATURE

    def test_the_wrong_secret_cannot_decrypt(self, key):
        with pytest.raises(EnvelopeError) as caught:
            envelope.open_sealed(sealed(key), app_secret="x" * 32, verifier=key.public, now=NOW)
        assert caught.value.code in (envelope.UNDECRYPTABLE, envelope.BAD_SIGNATURE)

    def test_an_old_or_future_message_is_refused(self, key):
        body = sealed(key)
        assert opened(body, key, now=NOW + envelope.MAX_SKEW_MS).data == DATA
        for now in (NOW + envelope.MAX_SKEW_MS + 1, NOW - envelope.MAX_SKEW_MS - 1):
            with pytest.raises(EnvelopeError) as caught:
                opened(body, key, now=now)
            assert caught.value.code == envelope.EXPIRED

    @pytest.mark.parametrize("body", [None, [], {"appId": "A"}, {
        "appId": "A", "timestamp": "x", "nonce": "n", "signData": "s", "encType": "SM4",
        "signType": "SM2"}, {"appId": "A", "timestamp": "1", "nonce": "n", "signData": "s",
                             "encType": "AES", "signType": "SM2"}])
    def test_malformed_envelopes_are_refused_not_crashed_on(self, body):
        with pytest.raises(EnvelopeError) as caught:
            envelope.envelope_fields(body)
        assert caught.value.code == envelope.MALFORMED

    def test_a_nonce_is_accepted_once(self):
        book = NonceBook()
        book.check_and_add("a", NOW)
        with pytest.raises(EnvelopeError) as caught:
            book.check_and_add("a", NOW + 1)
        assert caught.value.code == envelope.REPLAYED


class TestMessageId:
    def test_the_2021_layout_code_time_in_china_and_sequence(self):
        at = datetime(2026, 5, 1, 16, 30, 5, tzinfo=UTC)  # 00:30:05 the next day in China
        assert envelope.message_id("H44020300006", at, 1_234_567) == \
            "H44020300006" "20260502003005" "4567"
        short = envelope.message_id("P1", at, 7)
        assert short == "0000000000P1" "20260502003005" "0007"
        assert len(short) == envelope.MSGID_LENGTH

    def test_msgid_and_infno_are_signed(self, key):
        body = sealed(key, extra_fields={"infno": "7206", "msgid": "0" * 30})
        assert opened(body, key).fields["msgid"] == "0" * 30
        for change in ({"msgid": "1" * 30}, {"infno": "7104"}):
            with pytest.raises(EnvelopeError) as caught:
                opened({**body, **change}, key)
            assert caught.value.code == envelope.BAD_SIGNATURE

    def test_an_overlong_msgid_is_malformed(self, key):
        with pytest.raises(EnvelopeError) as caught:
            opened(sealed(key, extra_fields={"msgid": "0" * 31}), key)
        assert caught.value.code == envelope.MALFORMED
