"""One kind of the knowledge base at a time: its rules as CSV cells, and importing a CSV file
of one kind as the next version (all rows checked, nothing stored on any bad row)."""

from __future__ import annotations

from server.knowledge import export, loader
from server.knowledge.rules import RuleKind
from tests.server.knowledge.conftest import scalar

ADMIN, PHARMACIST = "admin_h1", "pharm_chen"


class TestExport:
    def test_the_seed_written_out_reads_back_the_same(self, seed_files):
        rules = loader.parse_files(seed_files)
        assert loader.parse_files(export.files_of(rules)) == rules


class TestRulesOfAKind:
    async def test_interaction_pairs_of_the_active_set(self, client, headers_for):
        response = await client.get("/knowledge/rules/interaction_pair",
                                    headers=await headers_for(PHARMACIST))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["version"] == 1 and body["active"] is True and body["label"] == "相互作用"
        assert body["columns"] == ["id", "a", "b", "level", "message", "advice", "mechanism"]
        warfarin = [r for r in body["rows"] if "华法林" in (r["a"], r["b"])]
        assert warfarin and all(r["level"] in {"1", "2", "3", "4"} for r in warfarin)

    async def test_an_unknown_kind_is_refused(self, client, headers_for):
        response = await client.get("/knowledge/rules/recipes",
                                    headers=await headers_for(PHARMACIST))
        assert response.status_code == 422


class TestImportOfAKind:
    async def test_a_good_file_becomes_the_next_version_keeping_the_other_kinds(
            self, client, headers_for):
        headers = await headers_for(ADMIN)
        text = ("id,a,b,level,message,advice,mechanism\n"
                "DDI-1,华法林,阿司匹林,2,出血风险增加,监测INR,\n"
                "DDI-2,阿莫西林,二甲双胍,1,测试,,\n")
        response = await client.post("/knowledge/import/interaction_pair", headers=headers,
                                     json={"description": "相互作用更新", "csv": text,
                                           "activate": True})
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["version"] == 2 and created["active"] is True
        assert created["counts"]["interaction_pair"] == 2
        seeded = (await client.get("/knowledge/sets", headers=headers)).json()["items"][-1]
        assert created["counts"]["dose_rule"] == seeded["counts"]["dose_rule"] > 0

    async def test_one_bad_row_stores_nothing_and_is_named(self, client, headers_for,
                                                           owner_engine):
        headers = await headers_for(ADMIN)
        before = scalar(owner_engine, "SELECT count(*) FROM knowledge_interaction_pair")
        text = ("id,a,b,level,message,advice,mechanism\n"
                "DDI-1,华法林,阿司匹林,2,出血风险增加,监测INR,\n"
                "DDI-2,阿莫西林,二甲双胍,7,级别错误,,\n"
                "DDI-3,地高辛,胺碘酮,2,地高辛浓度升高,,\n")
        response = await client.post("/knowledge/import/interaction_pair", headers=headers,
                                     json={"description": "含错误行", "csv": text})
        assert response.status_code == 422
        body = response.json()
        assert body["errors"] == [{"file": "interaction_pair.csv", "row": 3, "column": "level",
                                   "reason": "警示级别应为 1（黄）、4（橙）、2（红）或 3（黑）"}]
        assert "未导入任何数据" in body["detail"]
        assert scalar(owner_engine, "SELECT count(*) FROM knowledge_set") == 1
        assert scalar(owner_engine, "SELECT count(*) FROM knowledge_interaction_pair") == before

    async def test_removing_a_class_others_refer_to_is_refused(self, client, headers_for):
        text = "id,class_code,label,members,level\nALG-1,sulfonamides,磺胺类,磺胺,3\n"
        response = await client.post("/knowledge/import/allergy_class",
                                     headers=await headers_for(ADMIN),
                                     json={"description": "只剩磺胺", "csv": text})
        assert response.status_code == 422
        assert {e["file"] for e in response.json()["errors"]} == {"allergy_cross.csv"}

    async def test_pharmacists_may_not_import(self, client, headers_for):
        response = await client.post(
            "/knowledge/import/dose_rule", headers=await headers_for(PHARMACIST),
            json={"description": "x", "csv": export.columns(RuleKind.DOSE_RULE)[0]})
        assert response.status_code == 403
