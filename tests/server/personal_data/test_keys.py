"""KeyRing: the key file outside the database, its creation, loading and rotation."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from server.personal_data.keys import KeyRing, KeyRingError, UnknownKeyVersion


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "personal-data.json"


class TestGenerate:
    def test_creates_version_1_with_distinct_random_keys(self, key_file: Path) -> None:
        ring = KeyRing.generate(key_file)
        assert ring.versions == (1,)
        assert ring.active_version == 1
        assert len(ring.data_key(1)) == 32
        assert len(ring.index_key) == 32
        assert ring.data_key(1) != ring.index_key
        other = KeyRing.generate(key_file.with_name("other.json"))
        assert other.data_key(1) != ring.data_key(1)

    @pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
    def test_file_is_readable_by_owner_only(self, key_file: Path) -> None:
        KeyRing.generate(key_file)
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    def test_refuses_to_overwrite(self, key_file: Path) -> None:
        KeyRing.generate(key_file)
        before = key_file.read_bytes()
        with pytest.raises(KeyRingError, match="already exists"):
            KeyRing.generate(key_file)
        assert key_file.read_bytes() == before

    def test_leaves_no_temporary_files(self, key_file: Path) -> None:
        KeyRing.generate(key_file)
        with pytest.raises(KeyRingError):
            KeyRing.generate(key_file)
        assert os.listdir(key_file.parent) == [key_file.name]


class TestLoad:
    def test_round_trip(self, key_file: Path) -> None:
        ring = KeyRing.generate(key_file)
        loaded = KeyRing.load(key_file)
        assert loaded.versions == ring.versions
        assert loaded.active_version == ring.active_version
        assert loaded.data_key(1) == ring.data_key(1)
        assert loaded.index_key == ring.index_key

    def test_missing_file(self, key_file: Path) -> None:
        with pytest.raises(KeyRingError, match="does not exist"):
            KeyRing.load(key_file)

    @pytest.mark.parametrize(
        "content",
        [
            b"",
            b"not json",
            b"[]",
            b'{"format": 1}',
            b'{"format": 2, "active_version": 1, "data_keys": {}, "index_key": ""}',
        ],
    )
    def test_corrupt_file(self, key_file: Path, content: bytes) -> None:
        key_file.parent.mkdir()
        key_file.write_bytes(content)
        with pytest.raises(KeyRingError, match="corrupt"):
            KeyRing.load(key_file)

    def _rewrite(self, key_file: Path, **changes: object) -> None:
        document = json.loads(key_file.read_text())
        document.update(changes)
        key_file.write_text(json.dumps(document))

    def test_short_data_key_refused(self, key_file: Path) -> None:
        KeyRing.generate(key_file)
        self._rewrite(key_file, data_keys={"1": base64.b64encode(b"x" * 16).decode()})
        with pytest.raises(KeyRingError, match="16 bytes"):
            KeyRing.load(key_file)

    def test_active_version_without_key_refused(self, key_file: Path) -> None:
        KeyRing.generate(key_file)
        self._rewrite(key_file, active_version=2)
        with pytest.raises(KeyRingError, match="active version 2"):
            KeyRing.load(key_file)

    def test_bad_base64_refused(self, key_file: Path) -> None:
        KeyRing.generate(key_file)
        self._rewrite(key_file, index_key="not base64!")
        with pytest.raises(KeyRingError, match="corrupt"):
            KeyRing.load(key_file)


class TestRotate:
    def test_adds_an_active_version_and_keeps_the_old_ones(self, key_file: Path) -> None:
        ring = KeyRing.generate(key_file)
        assert KeyRing.rotate(key_file) == 2
        assert KeyRing.rotate(key_file) == 3
        rotated = KeyRing.load(key_file)
        assert rotated.versions == (1, 2, 3)
        assert rotated.active_version == 3
        assert rotated.data_key(1) == ring.data_key(1)
        assert len({rotated.data_key(v) for v in rotated.versions}) == 3

    def test_keeps_the_index_key(self, key_file: Path) -> None:
        ring = KeyRing.generate(key_file)
        KeyRing.rotate(key_file)
        assert KeyRing.load(key_file).index_key == ring.index_key

    @pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
    def test_file_stays_private_and_alone(self, key_file: Path) -> None:
        KeyRing.generate(key_file)
        KeyRing.rotate(key_file)
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert os.listdir(key_file.parent) == [key_file.name]

    def test_missing_file(self, key_file: Path) -> None:
        with pytest.raises(KeyRingError, match="does not exist"):
            KeyRing.rotate(key_file)


class TestAccess:
    def test_unknown_version(self, key_file: Path) -> None:
        ring = KeyRing.generate(key_file)
        with pytest.raises(UnknownKeyVersion):
            ring.data_key(2)

    def test_repr_shows_no_key_material(self, key_file: Path) -> None:
        ring = KeyRing.generate(key_file)
        text = repr(ring)
        assert "versions=[1]" in text
        for key in (ring.data_key(1), ring.index_key):
            assert base64.b64encode(key).decode() not in text
            assert repr(key) not in text
