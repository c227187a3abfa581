"""The knowledge API: versions loaded, loading a set (all or nothing), activating one, and the
snapshot the checks read following the active version."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from server.checks.engine import run_checks
from server.checks.model import CheckLine, CheckRequest, DetectedIssue, IssueKind, PatientFacts
from server.knowledge import service
from server.knowledge.seed import seed_knowledge
from server.knowledge.snapshot import KnowledgeSnapshot
from tests.server.knowledge.conftest import line_count, scalar, with_row

ADMIN, DOCTOR, PHARMACIST = "admin_h1", "doctor_wang", "pharm_chen"
NEW_PAIR = "DDI-9001,阿莫西林,二甲双胍,2,测试用相互作用,测试建议,"
AMOXICILLIN_WITH_METFORMIN = CheckRequest(
    patient=PatientFacts(age_days=40 * 365),
    lines=(CheckLine(0, "阿莫西林胶囊", "J01CA04"), CheckLine(1, "盐酸二甲双胍片", "A10BA02")))


def interactions(request: CheckRequest, knowledge: KnowledgeSnapshot) -> list[DetectedIssue]:
    return [i for i in run_checks(request, knowledge) if i.kind == IssueKind.INTERACTION]


async def current_snapshot(app):
    async with app.state.services.db.session() as session:
        return await service.snapshot(session)


async def upload(client, headers, files, **extra):
    body = {"description": "测试版本", "files": files, **extra}
    return await client.post("/knowledge/sets", json=body, headers=headers)


class TestListing:
    async def test_the_seeded_set_is_version_one_and_active(self, client, headers_for):
        response = await client.get("/knowledge/sets", headers=await headers_for(PHARMACIST))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == 1
        [seeded] = body["items"]
        assert seeded["version"] == 1 and seeded["active"] is True
        assert seeded["counts"]["interaction_pair"] > 50
        assert seeded["activated_at"] is not None

    async def test_allergy_classes_for_recording_an_allergy(self, client, headers_for):
        response = await client.get("/knowledge/allergy-classes",
                                    headers=await headers_for(DOCTOR))
        assert response.status_code == 200
        classes = {c["code"]: c["label"] for c in response.json()["items"]}
        assert classes["penicillins"] == "青霉素类"
        assert response.json()["knowledge_version"] == 1


class TestLoading:
    async def test_a_new_version_is_stored_inactive(self, app, client, headers_for, seed_files):
        response = await upload(client, await headers_for(ADMIN),
                                with_row(seed_files, "interaction_pair.csv", NEW_PAIR))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["version"] == 2 and body["active"] is False
        assert body["loaded_by"] == "何伟"
        assert body["counts"]["interaction_pair"] == line_count(
            seed_files["interaction_pair.csv"]) - 3  # three comment lines and the header
        assert (await current_snapshot(app)).version == 1

    async def test_one_bad_row_imports_nothing_and_names_the_row(
            self, client, headers_for, seed_files, owner_engine):
        pairs_before = scalar(owner_engine, "SELECT count(*) FROM knowledge_interaction_pair")
        files = with_row(seed_files, "interaction_pair.csv", NEW_PAIR)
        files = with_row(files, "dose_rule.csv", "DOSE-9001,J01CA04,口服,,,0,mg,500,250,,,2")
        response = await upload(client, await headers_for(ADMIN), files)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error"] == "Unprocessable" and "未导入任何数据" in body["detail"]
        [error] = body["errors"]
        assert error == {"file": "dose_rule.csv", "row": line_count(files["dose_rule.csv"]),
                         "column": None, "reason": "min_single 大于 max_single"}
        assert scalar(owner_engine, "SELECT count(*) FROM knowledge_set") == 1
        assert scalar(owner_engine,
                      "SELECT count(*) FROM knowledge_interaction_pair") == pairs_before

    async def test_only_a_knowledge_manager_may_load(self, client, headers_for, seed_files):
        response = await upload(client, await headers_for(DOCTOR), seed_files)
        assert response.status_code == 403
        assert response.json()["permission"] == "knowledge.manage"

    async def test_loading_is_audited(self, client, headers_for, seed_files, owner_engine):
        response = await upload(client, await headers_for(ADMIN), seed_files, activate=True)
        assert response.status_code == 201
        set_id = response.json()["id"]
        with owner_engine.connect() as conn:
            action, summary = conn.execute(text(
                "SELECT action, summary FROM audit_event WHERE entity_id = :id"),
                {"id": set_id}).one()
        assert action == "knowledge.load"
        assert summary["version"] == 2 and summary["activated"] is True


class TestActivation:
    async def test_activating_a_version_changes_the_snapshot(self, app, client, headers_for,
                                                              seed_files, owner_engine):
        headers = await headers_for(ADMIN)
        before = await current_snapshot(app)
        assert interactions(AMOXICILLIN_WITH_METFORMIN, before) == []
        created = (await upload(client, headers,
                                with_row(seed_files, "interaction_pair.csv", NEW_PAIR))).json()

        response = await client.post(f"/knowledge/sets/{created['id']}/activate",
                                     headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["active"] is True

        after = await current_snapshot(app)
        assert after.version == 2 and after is not before
        [hit] = interactions(AMOXICILLIN_WITH_METFORMIN, after)
        assert hit.rule_id == "DDI-9001" and hit.knowledge_version == 2
        listing = (await client.get("/knowledge/sets", headers=headers)).json()["items"]
        assert [(s["version"], s["active"]) for s in listing] == [(2, True), (1, False)]
        assert scalar(owner_engine, "SELECT count(*) FROM knowledge_set WHERE active") == 1

    async def test_switching_back_reuses_the_cached_snapshot(self, app, client, headers_for,
                                                            seed_files):
        headers = await headers_for(ADMIN)
        first = await current_snapshot(app)
        created = (await upload(client, headers, seed_files, activate=True)).json()
        assert (await current_snapshot(app)).set_id == uuid.UUID(created["id"])
        response = await client.post(f"/knowledge/sets/{first.set_id}/activate",
                                     headers=headers)
        assert response.status_code == 200
        assert await current_snapshot(app) is first

    async def test_an_unknown_version_is_404(self, client, headers_for):
        response = await client.post(f"/knowledge/sets/{uuid.uuid4()}/activate",
                                     headers=await headers_for(ADMIN))
        assert response.status_code == 404

    async def test_only_a_knowledge_manager_may_activate(self, app, client, headers_for):
        first = await current_snapshot(app)
        response = await client.post(f"/knowledge/sets/{first.set_id}/activate",
                                     headers=await headers_for(PHARMACIST))
        assert response.status_code == 403

    def test_the_database_allows_one_active_set_only(self, owner_engine):
        with owner_engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO knowledge_set (id, version, description, loaded_by, active, counts)"
                " VALUES (gen_random_uuid(), 99, '测试', '测试', false, '{}')"))
        with pytest.raises(IntegrityError), owner_engine.begin() as conn:
            conn.execute(text("UPDATE knowledge_set SET active = true WHERE version = 99"))


class TestSeed:
    async def test_seeding_again_changes_nothing(self, app, owner_engine):
        async with app.state.services.db.session() as session, session.begin():
            await seed_knowledge(session)
        assert scalar(owner_engine, "SELECT count(*) FROM knowledge_set") == 1
