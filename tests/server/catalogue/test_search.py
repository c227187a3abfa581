"""As-you-type search over the seeded catalogue: pinyin, initials, Chinese, codes, ranking,
paging, filters, and the bounded path taken when a rank holds too many matches to sort."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from server.catalogue import repository
from server.catalogue.search import query_tokens, search_keys
from tests.server.catalogue.conftest import DOCTOR, HeadersFor, search


def names(body: dict[str, Any]) -> list[str]:
    return [h["generic_name"] for h in body["items"]]


def expected_rank(hit: dict[str, Any], token: str) -> int:
    """The documented ranking rules, computed independently of the SQL."""
    primary, secondary, _ = search_keys(hit["generic_name"], hit["brand_name"])
    codes = [(hit["insurance_code"] or "").lower(), hit["standard_code"] or ""]
    if f" {token} " in primary or f" {token} " in secondary or token in codes:
        return 0
    if f" {token}" in primary:
        return 1
    if f" {token}" in secondary or any(c.startswith(token) for c in codes if c):
        return 2
    return 3


async def everything(client: httpx.AsyncClient, headers: dict[str, str], q: str,
                     **params: Any) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    while True:
        body = await search(client, headers, q=q, limit=100, offset=len(hits), **params)
        hits.extend(body["items"])
        if not body["items"] or len(hits) >= body["total"]:
            return hits


class TestPinyinAndNames:
    async def test_initials_amxl_put_amoxicillin_first(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        body = await search(client, await headers_for(DOCTOR), q="amxl")
        assert body["total"] >= 6
        amoxicillin = [n.startswith("阿莫西林") for n in names(body)]
        assert amoxicillin[:6] == [True] * 6
        assert amoxicillin == sorted(amoxicillin, reverse=True)  # none after another drug
        assert names(body)[0] in ("阿莫西林胶囊", "阿莫西林颗粒")  # exact stem, shortest name

    async def test_full_pinyin(self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        body = await search(client, await headers_for(DOCTOR), q="amoxilin")
        assert body["total"] >= 6
        assert all("阿莫西林" in n for n in names(body))

    async def test_chinese_prefix(self, client: httpx.AsyncClient,
                                  headers_for: HeadersFor) -> None:
        body = await search(client, await headers_for(DOCTOR), q="阿莫")
        assert body["total"] == 6
        assert all(n.startswith("阿莫西林") for n in names(body))

    async def test_chinese_infix_of_two_characters(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        body = await search(client, await headers_for(DOCTOR), q="沙坦", limit=50)
        assert {"厄贝沙坦片", "缬沙坦胶囊", "替米沙坦片", "氯沙坦钾片"} <= set(names(body))
        assert all("沙坦" in n for n in names(body))

    async def test_brand_name_and_its_initials(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        doctor = await headers_for(DOCTOR)
        assert names(await search(client, doctor, q="拜新同")) == ["硝苯地平控释片"]
        assert "硝苯地平控释片" in names(await search(client, doctor, q="bxt"))

    async def test_salt_free_stem_initials(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        body = await search(client, await headers_for(DOCTOR), q="zyfsx")
        assert names(body)[:3] == sorted(names(body)[:3], key=len)
        assert all("左氧氟沙星" in n for n in names(body))
        assert body["total"] == 4

    async def test_lu_finds_chloride_typed_as_lu(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        body = await search(client, await headers_for(DOCTOR), q="luhuajia")
        assert names(body) == ["氯化钾缓释片"]

    async def test_several_words_must_all_match(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        body = await search(client, await headers_for(DOCTOR), q="amxl 颗粒")
        assert names(body) == ["阿莫西林颗粒"]


class TestCodes:
    async def test_insurance_code_prefix(self, client: httpx.AsyncClient,
                                         headers_for: HeadersFor, owner_engine: Engine) -> None:
        with owner_engine.connect() as conn:
            code = conn.execute(text(
                "SELECT insurance_code FROM catalogue_product WHERE generic_name = '阿莫西林胶囊'"
                " AND manufacturer LIKE '珠海联邦%'")).scalar_one()
            prefix = code[:11]
            expected = conn.execute(text(
                "SELECT count(*) FROM catalogue_product WHERE status = 'active'"
                " AND insurance_code LIKE :p"), {"p": prefix + "%"}).scalar_one()
        body = await search(client, await headers_for(DOCTOR), q=prefix.lower())
        assert body["total"] == expected > 0
        assert all(h["insurance_code"].startswith(prefix) for h in body["items"])
        body = await search(client, await headers_for(DOCTOR), q=code)
        assert body["items"][0]["insurance_code"] == code

    async def test_standard_code_whole_and_prefix(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        doctor = await headers_for(DOCTOR)
        seeded = (await search(client, doctor, q="拜新同"))["items"][0]
        code = seeded["standard_code"]
        body = await search(client, doctor, q=code)
        assert [h["id"] for h in body["items"]] == [seeded["id"]]
        body = await search(client, doctor, q=code[:9])
        assert seeded["id"] in [h["id"] for h in body["items"]]
        assert all(h["standard_code"].startswith(code[:9]) for h in body["items"])


class TestRanking:
    @pytest.mark.parametrize("q", ["lin", "xbdp", "dp", "a", "片", "头孢", "sha", "zs"])
    async def test_results_follow_rank_then_name_length_then_name(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, q: str) -> None:
        hits = await everything(client, await headers_for(DOCTOR), q)
        assert hits
        token = query_tokens(q)[0]
        keys = [(expected_rank(h, token), len(h["generic_name"]), h["generic_name"])
                for h in hits]
        assert keys == sorted(keys)

    @pytest.mark.parametrize("q", ["lin", "a", "x", "xb", "片", "阿", "沙坦", "amoxilin"])
    async def test_every_match_is_found(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, owner_engine: Engine,
            q: str) -> None:
        token = query_tokens(q)[0]
        pattern = f"%{token}%" if len(token) >= 3 else f"% {token}%"
        with owner_engine.connect() as conn:
            expected = set(conn.execute(text(
                "SELECT id::text FROM catalogue_product WHERE status = 'active'"
                " AND search_text LIKE :p"), {"p": pattern}).scalars())
        found = [h["id"] for h in await everything(client, await headers_for(DOCTOR), q)]
        assert len(found) == len(set(found))
        assert set(found) == expected

    async def test_pinyin_prefix_before_substring(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        ranks = [expected_rank(h, "lin")
                 for h in await everything(client, await headers_for(DOCTOR), "lin")]
        assert 2 in ranks and 3 in ranks  # 磷酸… before …西林


class TestPaging:
    async def test_pages_are_disjoint_and_add_up(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        doctor = await headers_for(DOCTOR)
        whole = await search(client, doctor, q="片", limit=15)
        pages = [await search(client, doctor, q="片", limit=5, offset=o) for o in (0, 5, 10)]
        assert [h["id"] for p in pages for h in p["items"]] == [h["id"] for h in whole["items"]]
        assert {p["total"] for p in pages} == {whole["total"]}
        assert whole["total"] > 100 and whole["total_exact"]
        assert (pages[0]["limit"], pages[2]["offset"]) == (5, 10)

    async def test_past_the_end_is_empty_with_the_total(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        body = await search(client, await headers_for(DOCTOR), q="阿莫", offset=6)
        assert (body["items"], body["total"]) == ([], 6)

    async def test_nothing_found(self, client: httpx.AsyncClient,
                                 headers_for: HeadersFor) -> None:
        body = await search(client, await headers_for(DOCTOR), q="zzqqxx")
        assert (body["items"], body["total"], body["total_exact"]) == ([], 0, True)
        assert body["served_by"] == "primary"


class TestFilters:
    async def test_item_type(self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        hits = await everything(client, await headers_for(DOCTOR), "一次性",
                                item_type="consumable")
        assert len(hits) >= 8
        assert {h["item_type"] for h in hits} == {"consumable"}
        assert all(h["registration_number"] for h in hits)

    async def test_chronic_only(self, client: httpx.AsyncClient,
                                headers_for: HeadersFor) -> None:
        doctor = await headers_for(DOCTOR)
        every = await everything(client, doctor, "缓释")
        chronic = await everything(client, doctor, "缓释", chronic_only=True)
        assert chronic and len(chronic) < len(every)
        assert all(h["chronic_list"] for h in chronic)
        assert [h["id"] for h in every if h["chronic_list"]] == [h["id"] for h in chronic]

    async def test_herbal_pieces(self, client: httpx.AsyncClient,
                                 headers_for: HeadersFor) -> None:
        doctor = await headers_for(DOCTOR)
        herbs = await everything(client, doctor, "黄", herbal_pieces=True)
        assert {"黄芪", "黄芩"} <= {h["generic_name"] for h in herbs}
        assert all(h["herbal_pieces"] and h["unit"] == "g" for h in herbs)
        others = await everything(client, doctor, "黄", herbal_pieces=False)
        assert not any(h["herbal_pieces"] for h in others)


class TestBoundedPath:
    """With tiny limits every search takes the path a 100,000-product catalogue takes for a
    common prefix: a rank too large to sort is read by a top-N statement."""

    @pytest.mark.parametrize("q", ["a", "片", "x", "amxl", "lin", "阿 片", "头孢"])
    @pytest.mark.parametrize("max_walk", [0, 10**6], ids=["matches-read", "walked-on"])
    async def test_same_page_as_sorting_everything(
            self, client: httpx.AsyncClient, headers_for: HeadersFor,
            monkeypatch: pytest.MonkeyPatch, q: str, max_walk: int) -> None:
        doctor = await headers_for(DOCTOR)
        exact = [await search(client, doctor, q=q, limit=7, offset=o) for o in (0, 7)]
        monkeypatch.setattr(repository, "SORT_LIMIT", 3)
        monkeypatch.setattr(repository, "WALK_WINDOW", 5)
        monkeypatch.setattr(repository, "MAX_WALK", max_walk)
        walked = [await search(client, doctor, q=q, limit=7, offset=o) for o in (0, 7)]
        for full, bounded in zip(exact, walked, strict=True):
            assert [h["id"] for h in bounded["items"]] == [h["id"] for h in full["items"]]
            if full["total"] > 3:
                assert not bounded["total_exact"]
                assert 3 < bounded["total"] <= full["total"]
            else:
                assert bounded["total"] == full["total"]
