"""Maintaining the carriers' tariffs: new versions by form or by CSV import, and reading them.

A version is never edited: a change is a new version from a day not before today and after the
carrier's latest version, so the history of what was charged stays explainable. A CSV import is
all or nothing: every bad row is reported with its line number and reason, and then nothing is
written.

CSV columns (UTF-8, a header line first; fees in fen, weights in grams; bands as km:fen pairs):
    carrier_code,carrier_name,effective_from,region_prefix,region_name,first_weight_g,
    first_fee_fen,step_weight_g,step_fee_fen,distance_bands
    SF,顺丰速运,2026-07-01,33,浙江省内,1000,1200,1000,200,
    SF,顺丰速运,2026-07-01,3301,杭州同城,1000,1000,1000,200,3:600;5:800
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.context import Principal, RequestContext
from server.core.errors import Unprocessable, VersionConflict
from server.delivery import repository
from server.delivery.models import CourierTariff, CourierTariffRule
from server.delivery.schemas import (
    ImportedVersion,
    ImportReport,
    TariffRule,
    TariffVersionIn,
    TariffVersionOut,
)

CSV_COLUMNS = ("carrier_code", "carrier_name", "effective_from", "region_prefix", "region_name",
               "first_weight_g", "first_fee_fen", "step_weight_g", "step_fee_fen",
               "distance_bands")
MAX_IMPORT_ROWS = 5000
_CARRIER_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,19}")


def _out(tariff: CourierTariff, rules: Sequence[CourierTariffRule]) -> TariffVersionOut:
    return TariffVersionOut(
        id=tariff.id, carrier_code=tariff.carrier_code, carrier_name=tariff.carrier_name,
        tariff_version=tariff.tariff_version, effective_from=tariff.effective_from,
        note=tariff.note, created_at=tariff.created_at, created_by_name=tariff.created_by_name,
        rules=[TariffRule.model_validate(r) for r in rules])


async def described(session: AsyncSession,
                    tariffs: Sequence[CourierTariff]) -> list[TariffVersionOut]:
    rules_of = await repository.rules(session, [t.id for t in tariffs])
    return [_out(t, rules_of.get(t.id, [])) for t in tariffs]


async def in_effect(session: AsyncSession, day: date) -> list[TariffVersionOut]:
    return await described(session, await repository.in_effect(session, day))


async def history(session: AsyncSession, carrier_code: str) -> list[TariffVersionOut]:
    return await described(session, await repository.versions(session, carrier_code))


def _date_problem(effective_from: date, today: date, latest: CourierTariff | None) -> str | None:
    if effective_from < today:
        return "生效日期不能早于今天"
    if latest is not None and effective_from <= latest.effective_from:
        return (f"生效日期须晚于现行最新版本（第 {latest.tariff_version} 版，"
                f"{latest.effective_from:%Y-%m-%d} 起）")
    return None


def _version(actor: Principal, carrier_code: str, data: TariffVersionIn,
             number: int) -> tuple[CourierTariff, list[CourierTariffRule]]:
    tariff = CourierTariff(carrier_code=carrier_code, carrier_name=data.carrier_name,
                           tariff_version=number, effective_from=data.effective_from,
                           note=data.note, created_by_id=actor.id, created_by_name=actor.name)
    rules = [CourierTariffRule(**r.model_dump(exclude={"distance_bands"}),
                               distance_bands=[b.model_dump() for b in r.distance_bands])
             for r in data.rules]
    return tariff, rules


async def _store(session: AsyncSession, tariff: CourierTariff,
                 rules: list[CourierTariffRule]) -> None:
    session.add(tariff)
    await session.flush()
    for rule in rules:
        rule.tariff_id = tariff.id
    session.add_all(rules)
    await session.flush()


async def create_version(ctx: RequestContext, actor: Principal, carrier_code: str,
                         data: TariffVersionIn, *, today: date) -> TariffVersionOut:
    latest = await repository.latest(ctx.session, carrier_code)
    current = latest.tariff_version if latest else 0
    if data.version != current:
        raise VersionConflict(current_version=current)
    problem = _date_problem(data.effective_from, today, latest)
    if problem:
        raise Unprocessable(problem, field="effective_from")
    tariff, rules = _version(actor, carrier_code, data, current + 1)
    await _store(ctx.session, tariff, rules)
    ctx.note("tariff.create", "courier_tariff", tariff.id, carrier_code=carrier_code,
             tariff_version=tariff.tariff_version, effective_from=str(tariff.effective_from),
             rules=len(rules))
    return _out(tariff, rules)


@dataclass
class _Group:
    """The rows of one (carrier, effective date) in an import: one new version."""

    carrier_code: str
    effective_from: date
    carrier_name: str
    first_line: int
    rules: list[TariffRule] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # region prefix -> line


def _bands(text: str) -> list[dict[str, Any]]:
    bands = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        km, sep, fee = part.partition(":")
        if not sep:
            raise ValueError(f"距离档位“{part}”应为 公里:分，如 5:800")
        try:
            bands.append({"up_to_km": float(km), "fee_fen": int(fee)})
        except ValueError:
            raise ValueError(f"距离档位“{part}”应为 公里:分，如 5:800") from None
    return bands


def _parse(content: bytes) -> tuple[dict[tuple[str, date], _Group], list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []

    def bad(line: int, column: str | None, reason: str) -> None:
        errors.append({"row": line, "field": column, "reason": reason})

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unprocessable("CSV 须为 UTF-8 编码", field="body") from None
    try:
        return _rows(csv.DictReader(io.StringIO(text)), bad, errors)
    except csv.Error as exc:  # a stray line break inside a field, a NUL byte...
        raise Unprocessable(f"CSV 格式有误：{exc}", field="body") from None


def _rows(reader: csv.DictReader[str], bad: Callable[[int, str | None, str], None],
          errors: list[dict[str, Any]]
          ) -> tuple[dict[tuple[str, date], _Group], list[dict[str, Any]]]:
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Unprocessable(f"CSV 缺少列：{', '.join(missing)}", field="body")
    groups: dict[tuple[str, date], _Group] = {}
    count = 0
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()) or values["carrier_code"].startswith("#"):
            continue
        count += 1
        if count > MAX_IMPORT_ROWS:
            raise Unprocessable(f"一次最多导入 {MAX_IMPORT_ROWS} 行", field="body")
        carrier = values["carrier_code"]
        if not _CARRIER_CODE.fullmatch(carrier):
            bad(line, "carrier_code", "承运商代码应为大写字母开头的 2–20 位字母、数字或下划线")
            continue
        try:
            effective_from = date.fromisoformat(values["effective_from"])
        except ValueError:
            bad(line, "effective_from", "生效日期应为 YYYY-MM-DD")
            continue
        if not values["carrier_name"]:
            bad(line, "carrier_name", "承运商名称不能为空")
            continue
        try:
            rule = TariffRule.model_validate({
                **{k: values[k] for k in CSV_COLUMNS[3:9]},
                "distance_bands": _bands(values["distance_bands"])})
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                first = exc.errors()[0]
                column = str(first["loc"][0]) if first["loc"] else None
                reason = str(first["msg"]).removeprefix("Value error, ")
            else:
                column, reason = "distance_bands", str(exc)
            bad(line, column, reason)
            continue
        group = groups.setdefault((carrier, effective_from), _Group(
            carrier, effective_from, values["carrier_name"], line))
        if values["carrier_name"] != group.carrier_name:
            bad(line, "carrier_name", f"与第 {group.first_line} 行的承运商名称不一致")
        elif rule.region_prefix in group.lines:
            bad(line, "region_prefix",
                f"与第 {group.lines[rule.region_prefix]} 行的地区前缀重复")
        else:
            group.rules.append(rule)
            group.lines[rule.region_prefix] = line
    return groups, errors


async def import_csv(ctx: RequestContext, actor: Principal, content: bytes, *, today: date,
                     dry_run: bool = False) -> ImportReport:
    groups, errors = _parse(content)
    planned: list[tuple[_Group, int]] = []
    numbers: dict[str, tuple[int, date | None]] = {}
    for key in sorted(groups, key=lambda k: (k[0], k[1])):
        group = groups[key]
        if group.carrier_code not in numbers:
            latest = await repository.latest(ctx.session, group.carrier_code)
            numbers[group.carrier_code] = (latest.tariff_version if latest else 0,
                                           latest.effective_from if latest else None)
        number, last_day = numbers[group.carrier_code]
        if group.effective_from < today:
            errors.append({"row": group.first_line, "field": "effective_from",
                           "reason": "生效日期不能早于今天"})
        elif last_day is not None and group.effective_from <= last_day:
            errors.append({"row": group.first_line, "field": "effective_from",
                           "reason": f"生效日期须晚于已有版本的生效日期（{last_day:%Y-%m-%d}）"})
        numbers[group.carrier_code] = (number + 1, group.effective_from)
        planned.append((group, number + 1))
    if errors:
        errors.sort(key=lambda e: e["row"])
        raise Unprocessable(
            f"导入未执行：{len(errors)} 行有误（第 {'、'.join(str(e['row']) for e in errors[:20])} "
            f"行{'等' if len(errors) > 20 else ''}）", rows=errors,
            fields=[{"field": f"row{e['row']}.{e['field'] or ''}".rstrip("."),
                     "message": e["reason"], "type": "Unprocessable"} for e in errors])
    if not planned:
        raise Unprocessable("CSV 中没有数据行", field="body")
    versions = [ImportedVersion(carrier_code=g.carrier_code, carrier_name=g.carrier_name,
                                effective_from=g.effective_from, tariff_version=n,
                                rules=len(g.rules)) for g, n in planned]
    if dry_run:
        return ImportReport(imported=False, versions=versions)
    # A concurrent import or edit of the same carrier collides on (carrier, version): the
    # unique constraint refuses the second, and the whole import rolls back.
    for group, number in planned:
        tariff, rules = _version(actor, group.carrier_code, TariffVersionIn(
            version=number - 1, carrier_name=group.carrier_name,
            effective_from=group.effective_from, rules=group.rules), number)
        await _store(ctx.session, tariff, rules)
    ctx.note("tariff.import", "courier_tariff", None,
             versions=[v.model_dump(mode="json") for v in versions])
    return ImportReport(imported=True, versions=versions)
