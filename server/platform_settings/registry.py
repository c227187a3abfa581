"""The settings groups, each a pydantic model with the defaults the regulations suggest.

Numbers marked (verify) in ../shared/DOMAIN.md are here as data the hospital can change, not
as code. A group missing from the database reads as its defaults.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PrescriptionLimits(BaseModel):
    """处方管理办法 (2007): validity, days' supply, drugs per prescription, circulation."""

    model_config = ConfigDict(extra="forbid")
    validity_default_days: int = Field(1, ge=1, le=7, description="处方有效期（天），默认当日")
    validity_max_days: int = Field(3, ge=1, le=7, description="医生注明时最长有效期（天）")
    max_days_supply: int = Field(7, ge=1, le=90, description="普通处方最长用药天数")
    emergency_max_days: int = Field(3, ge=1, le=30, description="急诊处方最长用药天数")
    extended_max_days: int = Field(28, ge=1, le=90,
                                   description="慢病、老年等注明理由时/长期处方最长用药天数")
    stable_chronic_max_days: int = Field(84, ge=1, le=180,
                                         description="病情稳定的慢病长期处方最长用药天数")
    max_drugs: int = Field(5, ge=1, le=20, description="西药、中成药处方每张最多药品品种数")
    # Classes that may not circulate to outside pharmacies (麻醉、精神药品).
    non_circulating_classes: list[str] = Field(
        default_factory=lambda: ["narcotic", "psychotropic_1", "psychotropic_2"])


class ReviewTimeLimits(BaseModel):
    """审核时效: minutes a pharmacist has per task, by visit type; then it escalates."""

    model_config = ConfigDict(extra="forbid")
    outpatient_minutes: int = Field(15, ge=1, le=1440)
    emergency_minutes: int = Field(5, ge=1, le=1440)
    inpatient_minutes: int = Field(30, ge=1, le=1440)
    chronic_minutes: int = Field(60, ge=1, le=1440)

    def minutes_for(self, visit_type: str) -> int:
        return int(getattr(self, f"{visit_type}_minutes", self.outpatient_minutes))


class CirculationLimits(BaseModel):
    """流转时效: how long a pharmacy has to accept an order, how far ahead patients book."""

    model_config = ConfigDict(extra="forbid")
    accept_minutes: int = Field(30, ge=1, le=1440, description="药店接单时限（分钟），超时释放锁定")
    appointment_max_days: int = Field(7, ge=1, le=30, description="预约取药/配送最多提前天数")
    payment_required_before_handover: bool = Field(
        True, description="发货或交付前须已支付（线上或到店登记）")
class PharmacyStockFeed(BaseModel):
    """药店库存上报: how old a reported quantity may be before it counts as unknown."""

    model_config = ConfigDict(extra="forbid")
    stale_after_hours: int = Field(24, ge=1, le=24 * 30, description="库存数据超过多少小时视为未知")
    max_rows_per_report: int = Field(500, ge=1, le=5000, description="每次上报最多条数")


class CourierShipping(BaseModel):
    """快递: the allowance for the parcel itself on top of the goods' package weights."""

    model_config = ConfigDict(extra="forbid")
    packing_allowance_g: int = Field(200, ge=0, le=5000, description="包装材料重量（克）")


REGISTRY: dict[str, type[BaseModel]] = {
    "prescription_limits": PrescriptionLimits,
    "review_time_limits": ReviewTimeLimits,
    "circulation_limits": CirculationLimits,
    "pharmacy_stock_feed": PharmacyStockFeed,
    "courier_shipping": CourierShipping,
}
