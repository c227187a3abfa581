"""Key rotation: re-encrypting every patient under a new data key while the server runs."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine

from installers.database import DatabaseUrls
from server.app import create_app
from server.core.clock import FakeClock
from server.core.db import make_engine
from server.core.keys import DATA_KEYS
from server.patients.identity import SEALED_FIELDS
from server.patients.rotation import reencrypt_patients
from server.personal_data.cipher import FieldCipher, UndecryptableValue
from server.personal_data.keys import KeyRing
from server.seed.demo import DemoGroup
from server.settings import Settings
from tests.helpers import login
from tests.server.patients.conftest import HeadersFor, demo_patient

DEMO_PATIENTS = 12


@dataclass
class RotatedKeys:
    key_dir: Path
    version: int
    cipher: FieldCipher


@pytest.fixture
def rotated(key_dir: Path, tmp_path: Path) -> RotatedKeys:
    """A copy of the test key folder with its data keys rotated (the shared one stays as is)."""
    copy = tmp_path / "keys"
    shutil.copytree(key_dir, copy)
    version = KeyRing.rotate(copy / DATA_KEYS)
    return RotatedKeys(copy, version, FieldCipher(KeyRing.load(copy / DATA_KEYS)))


@pytest.fixture
async def app_engine(db: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    # The server's role, subject to row-level security: the job must set its own scope.
    engine = make_engine(db.app, pool_size=2)
    yield engine
    await engine.dispose()


def patient_rows(owner_engine: Engine) -> list[dict[str, Any]]:
    with owner_engine.connect() as conn:
        return [dict(r) for r in conn.execute(text("SELECT * FROM patient ORDER BY id")).mappings()]


class TestReencryption:
    async def test_every_patient_moves_to_the_new_key_and_still_decrypts(
            self, rotated: RotatedKeys, app_engine: AsyncEngine, owner_engine: Engine,
            demo: DemoGroup, cipher: FieldCipher) -> None:
        before = {r["id"]: r["version"] for r in patient_rows(owner_engine)}
        # A batch smaller than the table, so several committed batches are needed.
        assert await reencrypt_patients(app_engine, rotated.cipher, batch=5) == DEMO_PATIENTS
        rows = patient_rows(owner_engine)
        assert {r["key_version"] for r in rows} == {rotated.version}
        for row in rows:
            for field in SEALED_FIELDS:
                blob = row[f"{field}_enc"]
                if blob is not None:
                    assert rotated.cipher.key_version(bytes(blob)) == rotated.version
        clear = {str(r["id"]): rotated.cipher.decrypt(bytes(r["id_number_enc"]),
                                                      context="patient.id_number") for r in rows}
        assert clear == {p["id"]: p["id_number"] for p in demo.patients}
        # Really re-encrypted: a key ring without the new version cannot read the values.
        with pytest.raises(UndecryptableValue):
            cipher.decrypt(bytes(rows[0]["name_enc"]), context="patient.name")
        # Content unchanged, so the optimistic-locking version is untouched.
        assert {r["id"]: r["version"] for r in rows} == before

    async def test_second_run_has_nothing_to_do(
            self, rotated: RotatedKeys, app_engine: AsyncEngine) -> None:
        assert await reencrypt_patients(app_engine, rotated.cipher) == DEMO_PATIENTS
        assert await reencrypt_patients(app_engine, rotated.cipher) == 0

    async def test_rows_locked_by_a_request_are_skipped_not_waited_for(
            self, rotated: RotatedKeys, app_engine: AsyncEngine, db: DatabaseUrls,
            demo: DemoGroup) -> None:
        busy = demo_patient(demo, "张伟")["id"]
        owner = make_engine(db.owner, pool_size=1)
        try:
            async with owner.connect() as conn:
                await conn.execute(text("SELECT 1 FROM patient WHERE id = :id FOR UPDATE"),
                                   {"id": busy})
                done = await reencrypt_patients(app_engine, rotated.cipher, batch=4)
                await conn.commit()
        finally:
            await owner.dispose()
        assert done == DEMO_PATIENTS - 1
        assert await reencrypt_patients(app_engine, rotated.cipher) == 1


@pytest.fixture
async def rotated_client(settings: Settings, rotated: RotatedKeys,
                         clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    """A server started on the rotated key folder (after its rolling restart)."""
    app = create_app(settings.model_copy(update={"key_dir": rotated.key_dir}), clock=clock)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://rxp.test") as http:
            yield http


class TestServingAfterRotation:
    async def test_blind_index_search_still_finds_them(
            self, rotated: RotatedKeys, app_engine: AsyncEngine,
            rotated_client: httpx.AsyncClient, demo: DemoGroup, clock: FakeClock) -> None:
        await reencrypt_patients(app_engine, rotated.cipher)
        headers = await login(rotated_client, demo.account("doctor_wang"), clock)
        for name in ("张伟", "李娜"):
            wanted = demo_patient(demo, name)
            found = await rotated_client.get("/patients", headers=headers,
                                             params={"id_number": wanted["id_number"]})
            assert [p["id"] for p in found.json()["items"]] == [wanted["id"]]
            full = await rotated_client.get(f"/patients/{wanted['id']}/full", headers=headers)
            assert full.json()["id_number"] == wanted["id_number"]

    async def test_an_edit_opened_before_the_rotation_still_saves(
            self, rotated: RotatedKeys, app_engine: AsyncEngine, client: httpx.AsyncClient,
            headers_for: HeadersFor, rotated_client: httpx.AsyncClient, demo: DemoGroup,
            clock: FakeClock) -> None:
        wanted = demo_patient(demo, "李娜")
        opened = await client.get(f"/patients/{wanted['id']}",
                                  headers=await headers_for("doctor_wang"))
        await reencrypt_patients(app_engine, rotated.cipher)
        headers = await login(rotated_client, demo.account("doctor_wang"), clock)
        saved = await rotated_client.patch(
            f"/patients/{wanted['id']}", headers=headers,
            json={"version": opened.json()["version"], "weight_kg": "53.0"})
        assert saved.status_code == 200, saved.text
        assert saved.json()["version"] == opened.json()["version"] + 1
