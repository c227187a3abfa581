"""`patient_context` as the prescription code uses it: the record, turned into the patient
facts of a check, drives the rule engine."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import pytest

from server.access.scope import set_visible
from server.checks.engine import run_checks
from server.checks.levels import Level
from server.checks.model import CheckLine, CheckRequest, IssueKind
from server.clinical.service import patient_context
from server.core.context import RequestContext
from server.core.errors import NotFound
from server.knowledge.service import snapshot
from tests.server.clinical.conftest import DOCTOR, created, patient_id

ZHANG, WANG_FANG, YANG = "张伟", "王芳", "杨光"  # H1: a man of 70, a pregnant woman, a boy
AMOXICILLIN = CheckLine(0, "阿莫西林胶囊", "J01CA04", route="口服", dose=Decimal(500),
                        dose_unit="mg", frequency="tid")
WARFARIN = CheckLine(0, "华法林钠片", "B01AA03", route="口服", dose=Decimal(3), dose_unit="mg",
                     frequency="qd")


@pytest.fixture
async def ctx(app, demo) -> AsyncIterator[RequestContext]:
    """A request context as a doctor of H1 has it (row-level security scoped to H1)."""
    async with app.state.services.db.session() as session, session.begin():
        h1 = uuid.UUID(demo.organisations["H1"])
        await set_visible(session, frozenset({h1}))
        yield RequestContext(session=session, method="POST", path="/prescriptions/check",
                             ip=None, workstation=None, request_id="test")


async def record(client, headers, demo, name, kind, body):
    await created(await client.post(f"/patients/{patient_id(demo, name)}/{kind}", json=body,
                                    headers=headers))


class TestPatientContext:
    async def test_a_penicillin_allergic_patient_prescribed_amoxicillin(self, client, demo,
                                                                        headers_for, ctx):
        await record(client, await headers_for(DOCTOR), demo, ZHANG, "allergies",
                     {"allergen": "青霉素", "reaction": "过敏性休克", "severity": "severe"})
        context = await patient_context(ctx, uuid.UUID(patient_id(demo, ZHANG)))
        request = CheckRequest(patient=context.facts(), lines=(AMOXICILLIN,))
        [hit] = [i for i in run_checks(request, await snapshot(ctx.session))
                 if i.kind == IssueKind.ALLERGY]
        assert hit.level == Level.BLACK and "过敏性休克" in hit.message

    async def test_warfarin_for_a_patient_taking_aspirin(self, client, demo, headers_for, ctx):
        await record(client, await headers_for(DOCTOR), demo, ZHANG, "medications",
                     {"generic_name": "阿司匹林", "source": "his"})
        context = await patient_context(ctx, uuid.UUID(patient_id(demo, ZHANG)))
        assert [m.generic_name for m in context.current_medications] == ["阿司匹林"]
        request = CheckRequest(patient=context.facts(), lines=(WARFARIN,))
        [hit] = run_checks(request, await snapshot(ctx.session))
        assert hit.kind == IssueKind.INTERACTION and hit.level == Level.RED
        assert hit.medications == ("阿司匹林",)

    async def test_pregnancy_comes_from_the_patient(self, demo, ctx):
        context = await patient_context(ctx, uuid.UUID(patient_id(demo, WANG_FANG)))
        facts = context.facts()
        assert facts.pregnant and facts.sex == "female"
        [hit] = run_checks(CheckRequest(patient=facts, lines=(WARFARIN,)),
                           await snapshot(ctx.session))
        assert hit.kind == IssueKind.CONTRAINDICATION and hit.level == Level.BLACK

    async def test_age_weight_and_the_prescriptions_diagnoses(self, demo, ctx):
        context = await patient_context(ctx, uuid.UUID(patient_id(demo, YANG)),
                                        today=date(2026, 9, 14))
        facts = context.facts(extra_diagnoses=["J02.9"])
        assert facts.age_days == (date(2026, 9, 14) - date(2016, 9, 14)).days
        assert facts.weight_kg == Decimal("24.0") and facts.diagnoses == ("J02.9",)

    async def test_a_patient_outside_the_scope_is_not_found(self, demo, ctx):
        with pytest.raises(NotFound):
            await patient_context(ctx, uuid.UUID(patient_id(demo, "陈静")))
