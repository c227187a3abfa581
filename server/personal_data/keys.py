"""The application's data keys, kept in a JSON file outside the database.

The keys that encrypt personal data must not live next to the data: a stolen database dump
(or backup) is then useless without the key folder. The file holds

* the data keys (AES-256, 32 random bytes each) by integer version,
* the active version, used for every new encryption,
* a separate blind-index key (HMAC-SHA256), used to compute searchable digests.

Old data-key versions are kept after a rotation so that values written under them stay
readable until they have been re-encrypted. The blind-index key is never rotated here: a new
index key would make every stored index unfindable until all of them are recomputed.

File layout (``format`` guards against reading a future layout by mistake)::

    {"format": 1, "active_version": 2,
     "data_keys": {"1": "<base64>", "2": "<base64>"},
     "index_key": "<base64>"}
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FILE_FORMAT = 1
DATA_KEY_BYTES = 32  # AES-256
INDEX_KEY_BYTES = 32  # HMAC-SHA256: a key as long as the digest
# Ciphertext blobs carry the version as a 2-byte big-endian number.
MIN_VERSION = 1
MAX_VERSION = 0xFFFF
FILE_MODE = 0o600
FOLDER_MODE = 0o700


class KeyRingError(Exception):
    """The key file is missing, unreadable, corrupt, or would be overwritten."""


class UnknownKeyVersion(KeyRingError, LookupError):
    """No data key of the requested version is in the key ring."""


class KeyRing:
    """Data keys by version, the active version and the blind-index key. Immutable."""

    __slots__ = ("_active_version", "_data_keys", "_index_key")

    def __init__(
        self, data_keys: Mapping[int, bytes], active_version: int, index_key: bytes
    ) -> None:
        if not data_keys:
            raise KeyRingError("a key ring needs at least one data key")
        for version, key in data_keys.items():
            if not MIN_VERSION <= version <= MAX_VERSION:
                raise KeyRingError(f"data key version {version} is outside 1..{MAX_VERSION}")
            if len(key) != DATA_KEY_BYTES:
                raise KeyRingError(
                    f"data key version {version} has {len(key)} bytes, expected {DATA_KEY_BYTES}"
                )
        if active_version not in data_keys:
            raise KeyRingError(f"the active version {active_version} has no data key")
        if len(index_key) != INDEX_KEY_BYTES:
            raise KeyRingError(
                f"the index key has {len(index_key)} bytes, expected {INDEX_KEY_BYTES}"
            )
        self._data_keys = dict(data_keys)
        self._active_version = active_version
        self._index_key = bytes(index_key)

    def __repr__(self) -> str:
        # Never show key material (logs, tracebacks with locals).
        return f"KeyRing(versions={list(self.versions)}, active_version={self.active_version})"

    # -- access ------------------------------------------------------------------------------

    @property
    def active_version(self) -> int:
        return self._active_version

    @property
    def versions(self) -> tuple[int, ...]:
        return tuple(sorted(self._data_keys))

    @property
    def index_key(self) -> bytes:
        return self._index_key

    def data_key(self, version: int) -> bytes:
        try:
            return self._data_keys[version]
        except KeyError:
            raise UnknownKeyVersion(f"no data key of version {version}") from None

    # -- files -------------------------------------------------------------------------------

    @classmethod
    def generate(cls, path: Path) -> KeyRing:
        """Create a new key file at ``path`` with data key version 1 and an index key.

        Refuses to overwrite an existing file: losing the keys loses every encrypted value.
        """
        ring = cls(
            {1: secrets.token_bytes(DATA_KEY_BYTES)},
            active_version=1,
            index_key=secrets.token_bytes(INDEX_KEY_BYTES),
        )
        _write_file(path, ring._to_json(), overwrite=False)
        return ring

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise KeyRingError(
                f"key file {path} does not exist (create it once with KeyRing.generate)"
            ) from None
        except OSError as exc:
            raise KeyRingError(f"cannot read key file {path}: {exc}") from exc
        try:
            return cls._from_json(json.loads(raw))
        except (ValueError, TypeError, KeyError, binascii.Error, KeyRingError) as exc:
            # json.JSONDecodeError and UnicodeDecodeError are ValueErrors.
            raise KeyRingError(f"key file {path} is corrupt: {exc}") from exc

    @classmethod
    def rotate(cls, path: Path) -> int:
        """Add a new data key version to the file at ``path``, make it active, return it.

        Old versions stay so existing values remain readable. Not safe against two rotations
        running at the same moment; it is a rare, manual administrator action.
        """
        ring = cls.load(path)
        new_version = max(ring._data_keys) + 1
        if new_version > MAX_VERSION:
            raise KeyRingError(f"no key version left after {MAX_VERSION}")
        rotated = cls(
            {**ring._data_keys, new_version: secrets.token_bytes(DATA_KEY_BYTES)},
            active_version=new_version,
            index_key=ring._index_key,
        )
        _write_file(path, rotated._to_json(), overwrite=True)
        return new_version

    # -- serialisation -----------------------------------------------------------------------

    def _to_json(self) -> bytes:
        document = {
            "format": FILE_FORMAT,
            "active_version": self._active_version,
            "data_keys": {
                str(version): _b64(self._data_keys[version]) for version in self.versions
            },
            "index_key": _b64(self._index_key),
        }
        return (json.dumps(document, indent=2) + "\n").encode("ascii")

    @classmethod
    def _from_json(cls, document: Any) -> KeyRing:
        if not isinstance(document, dict):
            raise KeyRingError("expected a JSON object")
        if document.get("format") != FILE_FORMAT:
            raise KeyRingError(f"unsupported format {document.get('format')!r}")
        active = document["active_version"]
        data_keys = document["data_keys"]
        if not isinstance(active, int) or isinstance(active, bool):
            raise KeyRingError("active_version must be an integer")
        if not isinstance(data_keys, dict):
            raise KeyRingError("data_keys must be an object")
        return cls(
            {_parse_version(v): _unb64(k) for v, k in data_keys.items()},
            active_version=active,
            index_key=_unb64(document["index_key"]),
        )


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise KeyRingError("keys must be base64 strings")
    return base64.b64decode(text, validate=True)


def _parse_version(text: str) -> int:
    # int() alone would accept " 1", "+1" or "1_0"; versions are plain decimal numbers.
    if not (text.isascii() and text.isdigit()):
        raise KeyRingError(f"bad key version {text!r}")
    return int(text)


def _write_file(path: Path, content: bytes, *, overwrite: bool) -> None:
    """Write ``content`` to ``path`` (mode 0600) so that a crash never leaves a half file.

    The content goes to a temporary file in the same folder first (mkstemp creates it 0600,
    so the keys are never readable by others, not even briefly), is flushed to disk, then
    moved into place: os.replace when overwriting, os.link when not, since link fails
    atomically if the name is taken, which closes the race a separate exists() check has.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=FOLDER_MODE, parents=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise KeyRingError(
                    f"key file {path} already exists; refusing to overwrite it"
                ) from None
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, hence best effort.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
