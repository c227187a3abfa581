"""The seeded catalogue: size and coverage, data quality, and idempotent loading."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncSession

from installers.database import DatabaseUrls
from server.catalogue.seed import SEED_FILE, read_seed, seed_catalogue
from server.core.db import make_engine


def scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


class TestSeededCatalogue:
    def test_at_least_300_drugs_plus_consumables_and_special_foods(
            self, owner_engine: Engine) -> None:
        with owner_engine.connect() as conn:
            counts: dict[str, int] = dict(conn.execute(text(
                "SELECT item_type, count(*) FROM catalogue_product WHERE status = 'active'"
                " GROUP BY item_type")).all())
        assert counts["drug"] >= 300
        assert counts["consumable"] >= 20
        assert counts["special_medical_food"] >= 10

    def test_every_class_the_circulation_rules_need_is_present(
            self, owner_engine: Engine) -> None:
        with owner_engine.connect() as conn:
            classes: dict[str, int] = dict(conn.execute(text(
                "SELECT drug_class, count(*) FROM catalogue_product GROUP BY drug_class")).all())
        for drug_class in ("ordinary", "antibiotic_unrestricted", "antibiotic_restricted",
                           "antibiotic_special", "toxic", "psychotropic_1", "psychotropic_2",
                           "narcotic"):
            assert classes.get(drug_class, 0) >= 1, drug_class

    @pytest.mark.parametrize(("name", "drug_class"), [
        ("阿莫西林胶囊", "antibiotic_unrestricted"), ("头孢呋辛酯片", "antibiotic_unrestricted"),
        ("左氧氟沙星片", "antibiotic_restricted"), ("注射用美罗培南", "antibiotic_special"),
        ("注射用盐酸万古霉素", "antibiotic_special"), ("地西泮片", "psychotropic_2"),
        ("盐酸吗啡片", "narcotic"), ("华法林钠片", "ordinary"), ("阿司匹林肠溶片", "ordinary"),
        ("硫酸氢氯吡格雷片", "ordinary"),
    ])
    def test_well_known_products_have_their_class(
            self, owner_engine: Engine, name: str, drug_class: str) -> None:
        with owner_engine.connect() as conn:
            classes = set(conn.execute(text(
                "SELECT drug_class FROM catalogue_product WHERE generic_name = :n"),
                {"n": name}).scalars())
        assert classes == {drug_class}

    def test_every_product_has_a_price_today_and_its_history(
            self, owner_engine: Engine) -> None:
        without_price = scalar(owner_engine, """
            SELECT count(*) FROM catalogue_product p WHERE NOT EXISTS (
                SELECT 1 FROM catalogue_product_price pp
                WHERE pp.product_id = p.id AND pp.effective_from <= current_date)""")
        without_history = scalar(owner_engine, """
            SELECT count(*) FROM catalogue_product p WHERE NOT EXISTS (
                SELECT 1 FROM catalogue_status_change c WHERE c.product_id = p.id)""")
        assert (without_price, without_history) == (0, 0)

    def test_herbal_pieces_are_priced_by_the_gram_without_drug_codes(
            self, owner_engine: Engine) -> None:
        with owner_engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT unit, approval_number, standard_code FROM catalogue_product"
                " WHERE herbal_pieces")).all()
        assert len(rows) >= 15
        assert {r.unit for r in rows} == {"g"}
        assert not any(r.approval_number or r.standard_code for r in rows)

    def test_chinese_patent_medicines_carry_z_numbers(self, owner_engine: Engine) -> None:
        count = scalar(owner_engine, "SELECT count(*) FROM catalogue_product"
                                     " WHERE approval_number LIKE '国药准字Z%'")
        assert isinstance(count, int) and count >= 40


class TestSeedFile:
    def test_codes_are_declared_illustrative(self) -> None:
        header = SEED_FILE.read_text(encoding="utf-8").splitlines()[:8]
        assert any("示例代码" in line and "并非真实编码" in "".join(header) for line in header)

    def test_rows_are_valid_and_unique(self) -> None:
        rows = list(read_seed())
        codes = Counter(r.standard_code for r in rows if r.standard_code)
        products = Counter((r.generic_name, r.specification, r.manufacturer) for r in rows)
        assert max(codes.values()) == 1
        assert max(products.values()) == 1

    async def test_seeding_again_inserts_nothing(self, db: DatabaseUrls) -> None:
        engine = make_engine(db.owner, pool_size=1)
        try:
            async with AsyncSession(engine) as session, session.begin():
                assert await seed_catalogue(session, approved_by_name="测试") == 0
        finally:
            await engine.dispose()
