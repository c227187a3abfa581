"""FieldCipher: field encryption, key versions, re-encryption and blind indexes."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.personal_data.cipher import (
    FORMAT_AES_256_GCM,
    FORMAT_SM4_GCM,
    FieldCipher,
    UndecryptableValue,
    normalise,
    sm4_gcm_available,
)
from server.personal_data.keys import KeyRing

CONTEXT = "patient.id_number"
ID = "11010519491231002X"  # the example number of GB 11643

needs_sm4 = pytest.mark.skipif(not sm4_gcm_available(), reason="no SM4-GCM in this OpenSSL")


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    KeyRing.generate(tmp_path / "keys.json")
    return tmp_path / "keys.json"


@pytest.fixture
def cipher(key_file: Path) -> FieldCipher:
    return FieldCipher(KeyRing.load(key_file))


class TestRoundTrip:
    @pytest.mark.parametrize("text", ["", ID, "张三", "北京市朝阳区建国路88号 3单元", "😀\n\t"])
    def test_decrypts_to_the_plaintext(self, cipher: FieldCipher, text: str) -> None:
        assert cipher.decrypt(cipher.encrypt(text, context=CONTEXT), context=CONTEXT) == text

    def test_blob_layout(self, cipher: FieldCipher) -> None:
        blob = cipher.encrypt("张三", context=CONTEXT)
        assert blob[0] == FORMAT_AES_256_GCM
        assert int.from_bytes(blob[1:3], "big") == 1
        assert len(blob) == 1 + 2 + 12 + len("张三".encode()) + 16

    def test_plaintext_does_not_appear(self, cipher: FieldCipher) -> None:
        assert ID.encode() not in cipher.encrypt(ID, context=CONTEXT)

    def test_accepts_a_memoryview(self, cipher: FieldCipher) -> None:
        blob = cipher.encrypt(ID, context=CONTEXT)
        assert cipher.decrypt(memoryview(blob), context=CONTEXT) == ID  # type: ignore[arg-type]


class TestRandomisedCiphertext:
    def test_same_value_encrypts_differently_each_time(self, cipher: FieldCipher) -> None:
        blobs = {cipher.encrypt(ID, context=CONTEXT) for _ in range(20)}
        assert len(blobs) == 20
        assert len({blob[3:15] for blob in blobs}) == 20  # distinct nonces


class TestRefusals:
    def test_wrong_context(self, cipher: FieldCipher) -> None:
        blob = cipher.encrypt(ID, context=CONTEXT)
        with pytest.raises(UndecryptableValue, match=r"patient\.phone"):
            cipher.decrypt(blob, context="patient.phone")

    @pytest.mark.parametrize("position", [0, 1, 2, 3, 14, 15, -17, -1])
    def test_flipped_byte(self, cipher: FieldCipher, position: int) -> None:
        blob = bytearray(cipher.encrypt(ID, context=CONTEXT))
        blob[position] ^= 0x01
        with pytest.raises(UndecryptableValue):
            cipher.decrypt(bytes(blob), context=CONTEXT)

    def test_truncated(self, cipher: FieldCipher) -> None:
        blob = cipher.encrypt("", context=CONTEXT)
        with pytest.raises(UndecryptableValue, match="too short"):
            cipher.decrypt(blob[:-1], context=CONTEXT)

    def test_unknown_format_byte(self, cipher: FieldCipher) -> None:
        blob = b"\x7f" + cipher.encrypt(ID, context=CONTEXT)[1:]
        with pytest.raises(UndecryptableValue, match="0x7f"):
            cipher.decrypt(blob, context=CONTEXT)

    def test_unknown_key_version(self, cipher: FieldCipher) -> None:
        blob = cipher.encrypt(ID, context=CONTEXT)
        forged = blob[:1] + (9).to_bytes(2, "big") + blob[3:]
        with pytest.raises(UndecryptableValue, match="key version 9"):
            cipher.decrypt(forged, context=CONTEXT)

    def test_other_key_ring(self, cipher: FieldCipher, tmp_path: Path) -> None:
        other = FieldCipher(KeyRing.generate(tmp_path / "other.json"))
        with pytest.raises(UndecryptableValue):
            other.decrypt(cipher.encrypt(ID, context=CONTEXT), context=CONTEXT)

    @pytest.mark.parametrize("context", ["", "patient id", "a\x00b", "患者.身份证"])
    def test_bad_context(self, cipher: FieldCipher, context: str) -> None:
        with pytest.raises(ValueError, match="context"):
            cipher.encrypt(ID, context=context)

    def test_unknown_algorithm(self, key_file: Path) -> None:
        with pytest.raises(ValueError, match="unknown algorithm"):
            FieldCipher(KeyRing.load(key_file), algorithm="des")  # type: ignore[arg-type]

    def test_error_message_holds_no_plaintext(self, cipher: FieldCipher) -> None:
        blob = cipher.encrypt(ID, context=CONTEXT)
        with pytest.raises(UndecryptableValue) as caught:
            cipher.decrypt(blob, context="patient.phone")
        assert ID not in str(caught.value)


class TestRotation:
    def test_old_values_stay_readable_and_new_ones_use_the_new_version(
        self, key_file: Path
    ) -> None:
        old = FieldCipher(KeyRing.load(key_file)).encrypt(ID, context=CONTEXT)
        assert KeyRing.rotate(key_file) == 2
        cipher = FieldCipher(KeyRing.load(key_file))
        assert cipher.decrypt(old, context=CONTEXT) == ID
        assert cipher.key_version(old) == 1
        new = cipher.encrypt(ID, context=CONTEXT)
        assert cipher.key_version(new) == 2
        assert cipher.decrypt(new, context=CONTEXT) == ID

    def test_needs_reencryption(self, key_file: Path) -> None:
        old = FieldCipher(KeyRing.load(key_file)).encrypt(ID, context=CONTEXT)
        KeyRing.rotate(key_file)
        cipher = FieldCipher(KeyRing.load(key_file))
        assert cipher.needs_reencryption(old)
        assert not cipher.needs_reencryption(cipher.encrypt(ID, context=CONTEXT))

    def test_reencrypt_moves_to_the_active_version(self, key_file: Path) -> None:
        old = FieldCipher(KeyRing.load(key_file)).encrypt(ID, context=CONTEXT)
        KeyRing.rotate(key_file)
        KeyRing.rotate(key_file)
        cipher = FieldCipher(KeyRing.load(key_file))
        moved = cipher.reencrypt(old, context=CONTEXT)
        assert cipher.key_version(moved) == 3
        assert not cipher.needs_reencryption(moved)
        assert cipher.decrypt(moved, context=CONTEXT) == ID

    def test_reencrypt_checks_the_context(self, cipher: FieldCipher) -> None:
        blob = cipher.encrypt(ID, context=CONTEXT)
        with pytest.raises(UndecryptableValue):
            cipher.reencrypt(blob, context="patient.phone")

    def test_key_version_of_garbage(self, cipher: FieldCipher) -> None:
        with pytest.raises(UndecryptableValue):
            cipher.key_version(b"\x01\x00")


@needs_sm4
class TestSm4Gcm:
    def test_round_trip_and_format_byte(self, key_file: Path) -> None:
        cipher = FieldCipher(KeyRing.load(key_file), algorithm="sm4-gcm")
        blob = cipher.encrypt("张三", context=CONTEXT)
        assert blob[0] == FORMAT_SM4_GCM
        assert len(blob) == 1 + 2 + 12 + len("张三".encode()) + 16
        assert cipher.decrypt(blob, context=CONTEXT) == "张三"

    def test_refuses_wrong_context_and_tampering(self, key_file: Path) -> None:
        cipher = FieldCipher(KeyRing.load(key_file), algorithm="sm4-gcm")
        blob = cipher.encrypt(ID, context=CONTEXT)
        with pytest.raises(UndecryptableValue):
            cipher.decrypt(blob, context="patient.phone")
        tampered = bytearray(blob)
        tampered[20] ^= 0x80
        with pytest.raises(UndecryptableValue):
            cipher.decrypt(bytes(tampered), context=CONTEXT)

    def test_format_byte_is_bound_to_the_value(self, key_file: Path) -> None:
        cipher = FieldCipher(KeyRing.load(key_file), algorithm="sm4-gcm")
        blob = cipher.encrypt(ID, context=CONTEXT)
        relabelled = bytes([FORMAT_AES_256_GCM]) + blob[1:]
        with pytest.raises(UndecryptableValue):
            cipher.decrypt(relabelled, context=CONTEXT)

    def test_either_algorithm_reads_both_and_reencrypt_switches(self, key_file: Path) -> None:
        ring = KeyRing.load(key_file)
        aes, sm4 = FieldCipher(ring), FieldCipher(ring, algorithm="sm4-gcm")
        aes_blob = aes.encrypt(ID, context=CONTEXT)
        sm4_blob = sm4.encrypt(ID, context=CONTEXT)
        assert aes.decrypt(sm4_blob, context=CONTEXT) == ID
        assert sm4.decrypt(aes_blob, context=CONTEXT) == ID
        assert sm4.needs_reencryption(aes_blob)
        assert not sm4.needs_reencryption(sm4_blob)
        assert sm4.reencrypt(aes_blob, context=CONTEXT)[0] == FORMAT_SM4_GCM

    def test_rotation(self, key_file: Path) -> None:
        old = FieldCipher(KeyRing.load(key_file), algorithm="sm4-gcm").encrypt(ID, context=CONTEXT)
        KeyRing.rotate(key_file)
        cipher = FieldCipher(KeyRing.load(key_file), algorithm="sm4-gcm")
        assert cipher.decrypt(old, context=CONTEXT) == ID
        assert cipher.key_version(cipher.reencrypt(old, context=CONTEXT)) == 2


class TestBlindIndex:
    def test_deterministic_and_16_bytes(self, cipher: FieldCipher) -> None:
        first = cipher.blind_index(ID, context=CONTEXT)
        assert len(first) == 16
        assert cipher.blind_index(ID, context=CONTEXT) == first

    def test_same_key_file_gives_same_index(self, cipher: FieldCipher, key_file: Path) -> None:
        again = FieldCipher(KeyRing.load(key_file))
        assert again.blind_index(ID, context=CONTEXT) == cipher.blind_index(ID, context=CONTEXT)

    def test_different_values_differ(self, cipher: FieldCipher) -> None:
        assert cipher.blind_index("110105199001011234", context=CONTEXT) != cipher.blind_index(
            "110105199001011242", context=CONTEXT
        )

    def test_context_separated(self, cipher: FieldCipher) -> None:
        assert cipher.blind_index("13812345678", context="patient.phone") != cipher.blind_index(
            "13812345678", context="doctor.phone"
        )

    def test_normalises_id_numbers(self, cipher: FieldCipher) -> None:
        expected = cipher.blind_index(ID, context=CONTEXT)
        for variant in [ID.lower(), f"  {ID}\n", "１１０１０５１９４９１２３１００２ｘ"]:
            assert cipher.blind_index(variant, context=CONTEXT) == expected

    def test_other_fields_keep_their_case(self, cipher: FieldCipher) -> None:
        context = "patient.name"
        assert cipher.blind_index(" Zhang San ", context=context) == cipher.blind_index(
            "Zhang San", context=context
        )
        assert cipher.blind_index("zhang san", context=context) != cipher.blind_index(
            "Zhang San", context=context
        )

    def test_depends_on_the_index_key(self, cipher: FieldCipher, tmp_path: Path) -> None:
        other = FieldCipher(KeyRing.generate(tmp_path / "other.json"))
        assert other.blind_index(ID, context=CONTEXT) != cipher.blind_index(ID, context=CONTEXT)

    def test_unchanged_by_rotation(self, cipher: FieldCipher, key_file: Path) -> None:
        KeyRing.rotate(key_file)
        rotated = FieldCipher(KeyRing.load(key_file))
        assert rotated.blind_index(ID, context=CONTEXT) == cipher.blind_index(ID, context=CONTEXT)


class TestNormalise:
    def test_full_width_and_whitespace(self) -> None:
        assert normalise(" １３８１２３４５６７８\u3000", context="patient.phone") == "13812345678"

    def test_id_numbers_upper_cased(self) -> None:
        assert normalise("11010519491231002x", context="patient.id_number") == ID
        assert normalise("11010519491231002x", context="guardian_id_number") == ID

    def test_other_fields_not_upper_cased(self) -> None:
        assert normalise("abc", context="patient.name") == "abc"
