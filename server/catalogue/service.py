"""Business rules of the catalogue: what a proposal must carry, who moves a product through its
statuses, how prices are versioned, and the search the doctor's app calls as the doctor types.

Status machine (each change is a `catalogue_status_change` row and an audit event):

    proposed --approve--> active --suspend--> suspended --reinstate--> active
    proposed --refuse---> refused              active | suspended --withdraw--> withdrawn

`refused` and `withdrawn` are final: to bring a product back, propose it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from server.access.roles import DrugClass
from server.catalogue import codes, repository
from server.catalogue.models import (
    PRODUCT_STATUS_LABELS,
    CatalogueProduct,
    CatalogueProductPrice,
    CatalogueStatusChange,
    ItemType,
    ProductStatus,
)
from server.catalogue.schemas import (
    PriceChange,
    PriceOut,
    ProductDetail,
    ProductOut,
    ProductProposal,
    SearchHit,
    StatusChangeOut,
    StatusChangeRequest,
)
from server.catalogue.search import query_tokens, search_keys
from server.core.clock import Clock
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound, NotPermitted, Unprocessable, VersionConflict

# Prices take effect by the calendar day where the hospitals are.
CHINA = ZoneInfo("Asia/Shanghai")

S = ProductStatus


@dataclass(frozen=True)
class Transition:
    label: str
    from_statuses: tuple[ProductStatus, ...]
    to_status: ProductStatus
    reason_required: bool


TRANSITIONS = {
    "approve": Transition("审批通过", (S.PROPOSED,), S.ACTIVE, reason_required=False),
    "refuse": Transition("拒绝", (S.PROPOSED,), S.REFUSED, reason_required=True),
    "suspend": Transition("暂停", (S.ACTIVE,), S.SUSPENDED, reason_required=True),
    "reinstate": Transition("恢复", (S.SUSPENDED,), S.ACTIVE, reason_required=True),
    "withdraw": Transition("撤销", (S.ACTIVE, S.SUSPENDED), S.WITHDRAWN, reason_required=True),
}


def business_day(clock: Clock) -> date:
    """Today in China, the day a price version is compared with."""
    return clock.now().astimezone(CHINA).date()


def set_search_keys(product: CatalogueProduct) -> None:
    product.search_primary, product.search_secondary, product.search_text = search_keys(
        product.generic_name, product.brand_name)
    product.name_length = len(product.generic_name)


def check_proposal(data: ProductProposal) -> None:
    """The rules between fields, by item type; each failure names its field."""
    def fail(message: str, field: str) -> Unprocessable:
        return Unprocessable(message, field=field)

    if data.item_type == ItemType.DRUG:
        if data.registration_number:
            raise fail("药品使用批准文号，不填注册证号", "registration_number")
        if data.insurance_code and data.insurance_code.startswith("C"):
            raise fail("C 开头的医保代码属于医用耗材，药品应为 X、Z 或 T 开头", "insurance_code")
        if not data.herbal_pieces:
            if not data.approval_number:
                raise fail("药品必须填写批准文号", "approval_number")
            if not data.dosage_form:
                raise fail("药品必须填写剂型", "dosage_form")
        return
    label = "医用耗材" if data.item_type == ItemType.CONSUMABLE else "特殊医学用途配方食品"
    if data.herbal_pieces:
        raise fail("只有药品可以标记为中药饮片", "herbal_pieces")
    if data.drug_class != DrugClass.ORDINARY:
        raise fail(f"{label}没有药品管理类别，应为 ordinary", "drug_class")
    if data.approval_number:
        raise fail(f"{label}使用注册证号，不填批准文号", "approval_number")
    if data.standard_code:
        raise fail(f"药品本位码只用于药品，{label}不填", "standard_code")
    if not data.registration_number:
        raise fail(f"{label}必须填写注册证号", "registration_number")
    food = codes.is_food_registration(data.registration_number)
    if food != (data.item_type == ItemType.SPECIAL_MEDICAL_FOOD):
        raise fail("注册证号与品种类型不符（特医食品为 国食注字TY…，耗材为 …械注…）",
                   "registration_number")
    if data.insurance_code and (data.item_type == ItemType.CONSUMABLE) != (
            data.insurance_code.startswith("C")):
        raise fail("医保代码与品种类型不符（医用耗材为 C 开头）", "insurance_code")


def _check_effective_from(effective_from: date, today: date) -> None:
    if effective_from < today:
        raise Unprocessable("价格生效日期不能早于今天", field="effective_from")


async def get(ctx: RequestContext, product_id: uuid.UUID) -> CatalogueProduct:
    product = await repository.get(ctx.session, product_id)
    if product is None:
        raise NotFound("目录品种不存在")
    return product


async def propose(ctx: RequestContext, actor: Principal, data: ProductProposal, *,
                  today: date) -> CatalogueProduct:
    check_proposal(data)
    effective_from = data.effective_from or today
    _check_effective_from(effective_from, today)
    duplicate = await repository.open_duplicate(
        ctx.session, standard_code=data.standard_code, generic_name=data.generic_name,
        specification=data.specification, package=data.package, manufacturer=data.manufacturer)
    if duplicate is not None:
        same_code = data.standard_code and duplicate.standard_code == data.standard_code
        raise Conflict("目录中已有相同品种（" + ("本位码相同" if same_code else
                                              "通用名、规格、包装和生产企业相同") + "）",
                       field="standard_code" if same_code else "generic_name",
                       product_id=str(duplicate.id), status=duplicate.status)
    product = CatalogueProduct(
        id=uuid.uuid4(), status=ProductStatus.PROPOSED,
        **data.model_dump(exclude={"price", "effective_from", "reason"}))
    set_search_keys(product)
    ctx.session.add(product)
    await ctx.session.flush()
    ctx.session.add_all([
        CatalogueProductPrice(product_id=product.id, price=data.price,
                              effective_from=effective_from, note="首次定价",
                              created_by_id=actor.id, created_by_name=actor.name),
        CatalogueStatusChange(product_id=product.id, from_status=None,
                              to_status=ProductStatus.PROPOSED, reason=data.reason,
                              changed_by_id=actor.id, changed_by_name=actor.name),
    ])
    await ctx.session.flush()
    ctx.note("catalogue.propose", "catalogue_product", product.id,
             generic_name=product.generic_name, specification=product.specification,
             manufacturer=product.manufacturer, price=str(data.price))
    return product


async def change_status(ctx: RequestContext, actor: Principal, product_id: uuid.UUID,
                        action: str, data: StatusChangeRequest) -> CatalogueProduct:
    rule = TRANSITIONS[action]
    product = await get(ctx, product_id)
    if product.version != data.version:
        raise VersionConflict(current_version=product.version)
    if product.status not in rule.from_statuses:
        current = PRODUCT_STATUS_LABELS.get(ProductStatus(product.status), product.status)
        raise Conflict(f"该品种当前为“{current}”，不能{rule.label}", status=product.status)
    reason = data.reason or None
    if rule.reason_required and not reason:
        raise Unprocessable(f"{rule.label}必须填写原因", field="reason")
    if action == "approve":
        history = await repository.status_history(ctx.session, product.id)
        proposer = next((h.changed_by_id for h in history
                         if h.to_status == ProductStatus.PROPOSED), None)
        if proposer == actor.id:
            raise NotPermitted("不能审批自己提交的目录申请")
    from_status = product.status
    product.status = rule.to_status
    ctx.session.add(CatalogueStatusChange(
        product_id=product.id, from_status=from_status, to_status=rule.to_status, reason=reason,
        changed_by_id=actor.id, changed_by_name=actor.name))
    await ctx.session.flush()  # UPDATE ... WHERE version = n: a concurrent change loses here
    ctx.note(f"catalogue.{action}", "catalogue_product", product.id,
             from_status=from_status, to_status=rule.to_status.value, reason=reason)
    return product


async def add_price(ctx: RequestContext, actor: Principal, product_id: uuid.UUID,
                    data: PriceChange, *, today: date) -> CatalogueProduct:
    product = await get(ctx, product_id)
    if product.status in (ProductStatus.WITHDRAWN, ProductStatus.REFUSED):
        raise Conflict("已撤销或未通过的品种不能调价", status=product.status)
    effective_from = data.effective_from or today
    _check_effective_from(effective_from, today)
    if await repository.price_on(ctx.session, product.id, effective_from):
        raise Conflict("该生效日期已有价格版本", field="effective_from")
    ctx.session.add(CatalogueProductPrice(
        product_id=product.id, price=data.price, effective_from=effective_from, note=data.note,
        created_by_id=actor.id, created_by_name=actor.name))
    await ctx.session.flush()
    ctx.note("catalogue.price", "catalogue_product", product.id, price=str(data.price),
             effective_from=effective_from.isoformat())
    return product


async def detail(session: AsyncSession, product: CatalogueProduct, *,
                 today: date) -> ProductDetail:
    prices = await repository.prices(session, product.id)
    current = next((p.price for p in prices if p.effective_from <= today), None)
    history = await repository.status_history(session, product.id)
    return ProductDetail(
        **ProductOut.model_validate(product).model_dump(), current_price=current,
        prices=[PriceOut.model_validate(p) for p in prices],
        status_history=[StatusChangeOut.model_validate(h) for h in history])


async def search(session: AsyncSession, *, q: str, item_type: ItemType | None,
                 chronic_only: bool, herbal_pieces: bool | None, limit: int, offset: int,
                 today: date) -> tuple[Sequence[SearchHit], int, bool]:
    """Active products for what the doctor has typed so far, how many match and whether that
    count is exact; see server/catalogue/search.py and repository.search."""
    tokens = query_tokens(q)
    if not tokens:
        return [], 0, True
    rows, total, exact = await repository.search(
        session, tokens=tokens, item_type=item_type, chronic_only=chronic_only,
        herbal_pieces=herbal_pieces, limit=limit, offset=offset, today=today)
    hits = [SearchHit(**ProductOut.model_validate(product).model_dump(), current_price=price)
            for product, price in rows]
    return hits, total, exact
