"""Optimistic locking: an edit based on a stale version is refused, and of two concurrent edits
based on the same version exactly one wins."""

from __future__ import annotations

import asyncio

from tests.helpers import audit_chain_held, audit_rows, login, sql


async def _current(client, headers, user_id: str) -> dict:
    r = await client.get(f"/users/{user_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


class TestStaleVersion:
    async def test_patch_with_a_stale_version_is_a_conflict(self, client, demo, clock, db):
        headers = await login(client, demo.account("admin_h1"), clock)
        user_id = demo.account("doctor_wang").id
        before = await _current(client, headers, user_id)
        ok = await client.patch(f"/users/{user_id}", headers=headers, json={
            "version": before["version"], "display_name": "王建国（主治）"})
        assert ok.status_code == 200, ok.text
        assert ok.json()["version"] == before["version"] + 1
        stale = await client.patch(f"/users/{user_id}", headers=headers,
                                   json={"version": before["version"], "display_name": "王建"})
        assert stale.status_code == 409
        assert stale.json()["error"] == "VersionConflict"
        assert (await _current(client, headers, user_id))["display_name"] == "王建国（主治）"

    async def test_version_from_the_future_is_a_conflict(self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        user_id = demo.account("doctor_wang").id
        before = await _current(client, headers, user_id)
        r = await client.patch(f"/users/{user_id}", headers=headers,
                               json={"version": before["version"] + 5, "display_name": "x"})
        assert r.status_code == 409

    async def test_other_writers_bump_the_version(self, client, demo, clock):
        """Freezing is an edit too: a form opened before it is stale afterwards."""
        admin = await login(client, demo.account("admin_h1"), clock)
        user_id = demo.account("doctor_wang").id
        before = await _current(client, admin, user_id)
        sec = await login(client, demo.account("secadmin"), clock)
        await client.post(f"/users/{user_id}/freeze", json={"reason": "调查中"}, headers=sec)
        r = await client.patch(f"/users/{user_id}", headers=admin,
                               json={"version": before["version"], "display_name": "x"})
        assert r.status_code == 409


class TestConcurrentEdits:
    async def test_two_concurrent_patches_with_one_version_one_wins(self, client, demo, clock,
                                                                    db):
        headers = await login(client, demo.account("admin_h1"), clock)
        user_id = demo.account("doctor_wang").id
        version = (await _current(client, headers, user_id))["version"]
        names = ["王建国甲", "王建国乙"]
        # Both read the same version; while the audit chain is held the first one's UPDATE is
        # uncommitted and the second one's waits for it: a real lost-update race.
        async with audit_chain_held(db.superuser) as until_waiting:
            edits = [asyncio.create_task(client.patch(
                f"/users/{user_id}", headers=headers,
                json={"version": version, "display_name": name})) for name in names]
            await until_waiting(2)
        answers = await asyncio.gather(*edits)
        assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
        winner = next(r for r in answers if r.status_code == 200).json()
        loser = next(r for r in answers if r.status_code == 409).json()
        assert loser["error"] == "VersionConflict"
        final = await _current(client, headers, user_id)
        assert final["display_name"] == winner["display_name"]
        assert final["version"] == version + 1
        [(stored_version,)] = sql(db.owner, "SELECT version FROM staff_user WHERE id = %s",
                                  (user_id,))
        assert stored_version == version + 1
        updates = audit_rows(db.owner, "action = 'user.update' OR action LIKE 'PATCH %%'")
        assert sorted(r["outcome"] for r in updates) == ["failure", "success"]

    async def test_many_concurrent_patches_one_wins(self, client, demo, clock, db):
        headers = await login(client, demo.account("admin_h1"), clock)
        user_id = demo.account("pharm_chen").id
        version = (await _current(client, headers, user_id))["version"]
        async with audit_chain_held(db.superuser) as until_waiting:
            edits = [asyncio.create_task(client.patch(
                f"/users/{user_id}", headers=headers,
                json={"version": version, "display_name": f"陈静{i}"})) for i in range(5)]
            await until_waiting(5)
        answers = await asyncio.gather(*edits)
        assert sorted(r.status_code for r in answers) == [200] + [409] * 4, \
            [r.text for r in answers]
