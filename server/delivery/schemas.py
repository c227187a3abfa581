"""Request and response bodies of the courier tariff API. Amounts are integer fen."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from server.pharmacies.codes import region_prefix

CarrierCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,19}$",
                                   description="承运商代码，如 SF、JD")]
RegionPrefix = Annotated[str, Field(max_length=10), AfterValidator(region_prefix)]
Fen = Annotated[int, Field(ge=0, le=1_000_000, description="金额（分）")]
Grams = Annotated[int, Field(ge=1, le=1_000_000, description="重量（克）")]


class DistanceBand(BaseModel):
    model_config = ConfigDict(extra="forbid")
    up_to_km: float = Field(gt=0, le=500, description="距离上限（公里，含）")
    fee_fen: Fen


class TariffRule(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True, str_strip_whitespace=True)
    region_prefix: RegionPrefix = Field(description="目的地行政区划代码前缀（空为全国）")
    region_name: str = Field(min_length=1, max_length=60, description="如 浙江省内、江浙沪、全国")
    first_weight_g: Grams
    first_fee_fen: Fen
    step_weight_g: Grams
    step_fee_fen: Fen
    distance_bands: list[DistanceBand] = Field(default_factory=list, max_length=20,
                                               description="同城按距离计费（替代首重费用）")

    @field_validator("distance_bands")
    @classmethod
    def _increasing(cls, bands: list[DistanceBand]) -> list[DistanceBand]:
        limits = [b.up_to_km for b in bands]
        if limits != sorted(set(limits)):
            raise ValueError("距离档位须按公里数从小到大排列且不重复")
        return bands


class TariffVersionIn(BaseModel):
    """A new version of a carrier's tariff, in effect from `effective_from`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    version: int = Field(ge=0, description="读取时的最新版本号（乐观锁；新承运商为 0）")
    carrier_name: str = Field(min_length=1, max_length=60)
    effective_from: date = Field(description="生效日期（不早于今天，晚于已有版本）")
    note: str | None = Field(None, max_length=200)
    rules: list[TariffRule] = Field(min_length=1, max_length=2000)

    @field_validator("rules")
    @classmethod
    def _unique_prefixes(cls, rules: list[TariffRule]) -> list[TariffRule]:
        prefixes = [r.region_prefix for r in rules]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError("同一版本中地区前缀不能重复")
        return rules


class TariffVersionOut(BaseModel):
    id: uuid.UUID
    carrier_code: str
    carrier_name: str
    tariff_version: int
    effective_from: date
    note: str | None
    created_at: datetime
    created_by_name: str
    rules: list[TariffRule]


class ImportedVersion(BaseModel):
    carrier_code: str
    carrier_name: str
    effective_from: date
    tariff_version: int
    rules: int


class ImportReport(BaseModel):
    imported: bool = Field(description="是否已导入（试运行或有错误时为 false）")
    versions: list[ImportedVersion]


class FeeQuoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    carrier_code: str
    carrier_name: str
    fee_fen: int
    tariff_version: int
    rule: str
    region_prefix: str
    effective_from: date
