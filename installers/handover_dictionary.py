"""The data dictionary (数据字典) of a handover package: every table and column, described in
Chinese and in English, as Markdown and as CSV.

Where a description comes from, in order: a `COMMENT ON` in the database; a table's model
docstring (English); the mappings below. Columns have no comments yet, so their descriptions
are composed from the column's name: an exact entry in `COLUMNS`, else its words translated
through `WORDS` with the meaning of its suffix (`_at` a time, `_enc` a ciphertext, `_fen` an
amount in fen...). Every entry gets both languages; an entry made from the name says so in the
`source` column, so a reader knows which texts a person wrote.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import psycopg

TABLES: dict[str, tuple[str, str]] = {
    "alembic_version": ("数据库结构版本（迁移工具 Alembic 记录）", "Schema version (Alembic)"),
    "audit_event": ("审计日志：只追加、哈希链接的操作记录", "Audit log: append-only, hash-chained"),
    "auth_session": ("员工登录会话", "A staff login session"),
    "catalogue_product": ("药品目录条目", "A product of the drug catalogue"),
    "catalogue_product_price": ("药品价格版本", "A price version of a product"),
    "catalogue_status_change": ("药品目录状态变更记录", "Status changes of catalogue products"),
    "circulation_order": ("流转订单：药店对一张处方的配药、配送或自提", "A store order: a "
                          "pharmacy dispensing one prescription for delivery or pickup"),
    "circulation_order_line": ("流转订单明细", "A line of a store order"),
    "courier_tariff": ("快递运费表", "A courier's tariff"),
    "courier_tariff_rule": ("快递运费规则（按地区）", "A tariff's fee rule for a region"),
    "delivery_event": ("配送轨迹节点", "A node of the delivery journey"),
    "device_status": ("终端设备状态（自助机等）", "Status of a device (kiosks and others)"),
    "dispensed_package": ("已发出的药品包装（追溯码）", "A package handed out, by trace code"),
    "fhir_identifier": ("FHIR 资源标识对照", "FHIR identifiers given by outside systems"),
    "hl7_inbound_message": ("收到的 HL7 消息", "An HL7 v2 message received"),
    "hl7_order": ("经 HL7 传入的医嘱", "A prescription received as an HL7 order"),
    "idempotency_record": ("幂等记录：重复请求返回同一结果", "Stored answers of idempotent "
                           "requests"),
    "incident": ("安全事件 / 故障工单", "An incident"),
    "incident_event": ("事件处理时间线", "A line of an incident's timeline"),
    "insurance_claim": ("医保结算", "An insurance claim"),
    "integration_client": ("对接系统（客户端凭证）", "An integrated outside system"),
    "knowledge_allergy_class": ("知识库：过敏类别", "Knowledge base: allergy classes"),
    "knowledge_allergy_cross": ("知识库：过敏交叉反应", "Knowledge base: allergy cross-reactions"),
    "knowledge_contraindication": ("知识库：禁忌症", "Knowledge base: contraindications"),
    "knowledge_dose_rule": ("知识库：剂量规则", "Knowledge base: dose rules"),
    "knowledge_duplicate_class": ("知识库：重复用药类别", "Knowledge base: duplicate-therapy "
                                  "classes"),
    "knowledge_incompatibility": ("知识库：配伍禁忌", "Knowledge base: incompatibilities"),
    "knowledge_insurance_rule": ("知识库：医保限制", "Knowledge base: insurance rules"),
    "knowledge_interaction_pair": ("知识库：药物相互作用", "Knowledge base: drug interactions"),
    "knowledge_set": ("知识库版本", "A loaded version of the knowledge base"),
    "launch_token": ("HIS 单点登录票据", "A single-use launch ticket from an HIS"),
    "live_event": ("实时事件（推送给客户端）", "Live events pushed to the apps"),
    "live_event_horizon": ("实时事件清理位置（已清理的最大事件编号）",
                           "How far live events were pruned"),
    "notification": ("患者通知（短信等）", "A notification to a patient (SMS and others)"),
    "organisation": ("机构：医院、科室、药店", "An organisation: hospital, department, pharmacy"),
    "outbox_message": ("待发出的对外消息（发件箱）", "A message waiting to go out (outbox)"),
    "patient": ("患者（身份信息加密存储）", "A patient (identifying fields encrypted)"),
    "patient_access_session": ("患者查询会话", "A patient's access session"),
    "patient_allergy": ("患者过敏史", "A patient's allergy"),
    "patient_diagnosis": ("患者诊断", "A patient's diagnosis"),
    "patient_medication": ("患者用药史", "A patient's medication"),
    "patient_sms_code": ("患者短信验证码", "A login code sent to a patient"),
    "payment": ("支付单", "A payment"),
    "payment_notification": ("支付回调记录", "A payment gateway callback"),
    "pharmacist_duty": ("药师在岗状态", "A pharmacist's duty status"),
    "pharmacy_closure": ("药店停业或特殊营业日", "A pharmacy's closure or special hours"),
    "pharmacy_profile": ("药店资料", "A pharmacy's profile"),
    "pharmacy_status_change": ("药店状态变更记录", "Status changes of a pharmacy"),
    "pharmacy_stock": ("药店库存", "A pharmacy's stock of a product"),
    "platform_setting": ("平台参数设置", "A platform setting"),
    "prescribing_right": ("处方权", "A prescribing right"),
    "prescription": ("处方", "A prescription"),
    "prescription_issue": ("处方审核发现的问题", "A finding of the automatic checks"),
    "prescription_line": ("处方明细（药品行）", "A line of a prescription"),
    "prescription_slip_code": ("处方笺取药码", "The one-time code on a prescription slip"),
    "prescription_template": ("处方模板", "A prescription template"),
    "prescription_transition": ("处方状态流转记录", "The status history of a prescription"),
    "queue_counter": ("取号计数器", "Queue numbers per pickup point and day"),
    "refresh_token": ("刷新令牌", "A refresh token"),
    "refund": ("退款", "A refund"),
    "review_annotation": ("审方批注", "A reviewer's note on a prescription line"),
    "review_task": ("药师审方任务", "A pharmacist's review task"),
    "reviewing_right": ("审方权", "A reviewing right"),
    "signing_certificate": ("电子签名证书", "A signing certificate"),
    "staff_user": ("员工账号", "A staff account"),
}

# Columns whose meaning the name alone does not give.
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("主键（UUID 或序号）", "Primary key"),
    "version": ("乐观锁版本号（每次修改加一）", "Row version for optimistic locking"),
    "org_id": ("所属机构 ID（数据隔离依据）", "Owning organisation (row-level security)"),
    "seq": ("序号", "Sequence number"),
    "hash": ("本条记录的哈希（SHA-256）", "This record's hash (SHA-256)"),
    "prev_hash": ("前一条记录的哈希", "The previous record's hash"),
    "key_version": ("加密所用数据密钥的版本", "Version of the data key that encrypted the row"),
    "version_num": ("当前结构版本号", "Current schema revision"),
    "a": ("药品 A", "Drug A"), "b": ("药品 B", "Drug B"),
    "at": ("发生时间", "When it happened"),
    "fen": ("金额（分）", "Amount in fen"),
    "ip": ("IP 地址", "IP address"),
    "from_status": ("原状态", "Status before"), "to_status": ("新状态", "Status after"),
    "hi_rxno": ("医保处方编号", "Insurance prescription number"),
    "setl_id": ("医保结算 ID", "Insurance settlement id"),
    "rx_trace_code": ("医保处方追溯码", "Insurance prescription trace code"),
    "sign_cert_sn": ("签名证书序列号", "Signing certificate serial number"),
    "icd10": ("ICD-10 诊断编码", "ICD-10 code"),
    "gtin": ("商品条码（GTIN）", "GTIN barcode"),
    "atc_code": ("ATC 分类编码", "ATC code"),
    "totp_secret_enc": ("双因素认证密钥（加密）", "Second-factor TOTP secret, encrypted"),
    "totp_last_step": ("最近使用的动态口令时间步", "Last TOTP time step used (no replay)"),
    "search_text": ("检索用文本", "Text for search"),
    "line_no": ("行号", "Line number"),
    "id_number": ("身份证号", "resident identity card number"),
    "approval_number": ("批准文号", "Approval number (国药准字)"),
    "hours": ("当日营业时间", "Opening hours on that day"),
    "brand_name": ("商品名", "Brand name"), "generic_name": ("通用名", "Generic name"),
    "dosage_form": ("剂型", "Dosage form"), "handed_over": ("交付", "handed over"),
    "written_off": ("核销", "written off"), "not_dispensed_reason": ("未发药原因",
                                                                  "Why not dispensed"),
    "on_date": ("日期", "The date"), "on_duty": ("在岗", "on duty"),
    "public_key": ("公钥", "Public key"), "items": ("药品金额", "items"),
    "total": ("总金额", "total"), "first_fee": ("首重运费", "fee for the first weight"),
    "first_weight": ("首重", "first weight"), "step_fee": ("续重运费", "fee per step"),
    "step_weight": ("续重", "weight of a step"), "weight_based": ("按体重计算", "weight based"),
    "weight_kg": ("体重（千克）", "Body weight, in kg"), "unit_price": ("单价", "unit price"),
    "search_primary": ("主检索词（通用名、拼音等）", "Primary search terms (names, pinyin)"),
    "search_secondary": ("辅检索词", "Secondary search terms"),
    # Where a word means something particular in one table: "<table>.<column>".
    "patient.name": ("患者姓名", "patient's name"),
    "live_event_horizon.id": ("主键（固定为 1：仅一行）", "Primary key (always 1: one row)"),
    "live_event_horizon.pruned_through": ("已清理的最大事件编号", "Highest live-event id pruned"),
}

WORDS = dict(pair.split("=") for pair in """
accepted=接单 account=账户 ack=确认 acknowledged=确认 action=操作 activated=启用 active=有效
actor=操作者 address=地址 advice=建议 age=年龄 alert=告警 algorithm=算法 allergen=过敏原
amount=金额 answer=应答 appointment=预约 approval=批准文 assigned=分配 attempts=尝试次数
author=作者 bands=区间 based=按 batch=批号 birth=出生 body=内容 brand=商品名 breached=超时
burned=作废 by=人 called=已叫 card=卡号 carrier=承运商 cash=现金 cert=证书 certificate=证书
changed=变更 channel=渠道 checker=核对人 chronic=慢病 class=类别 classes=类别 client=客户端
close=关闭 closed=关闭 code=编码 completed=完成 condition=条件 contact=联系 content=内容
control=控制 counts=数量 courier=快递 created=创建 credit=信用 cross=交叉 daily=每日
data=数据 date=日期 day=日 days=天数 dead=放弃 decided=决定 decision=决定 delivered=送达
delivery=配送 department=科室 description=描述 destination=目的地 detail=详情 device=设备
diagnoses=诊断 digest=摘要 dispatched=发出 dispensed=发药 dispenser=调配人 display=显示
distance=距离 doctor=医生 dosage=剂型 dose=剂量 drug=药品 due=到期 duplicate=重复
duty=在岗 effective=生效 end=结束 ended=结束 entity=对象 error=错误 escalated=升级
expires=过期 expiry=有效期 extended=延长 external=外部 facility=机构 failed=失败 fault=故障
fee=费用 fingerprint=指纹 first=首 fix=修复 form=形式 format=格式 frequency=频次 from=起始
frozen=冻结 fund=统筹基金 g=克 gateway=支付网关 generic=通用名 group=组 handed=交付
handover=交付 hash=哈希 headers=头信息 herbal=中药 hi=医保 hospital=医院 hours=时间
id=ID ids=ID列表 inactivated=停用 incident=事件 indications=适应症 instructions=用法说明
insurance=医保 issued=签发 item=项目 items=药品 key=键 kg=千克 kind=类型 label=名称
lactating=哺乳期 last=最近 latitude=纬度 level=级别 licence=许可证 line=行 lines=明细
list=目录 loaded=加载 location=地点 lock=锁定 locked=锁定 logins=登录 longitude=经度
manufacturer=生产企业 masked=脱敏 max=最大 mechanism=机制 members=成员 message=消息
method=方式 min=最小 mode=方式 name=名称 next=下次 no=编号 not=未 note=备注 notes=备注
notification=通知 number=编号 numbers=编号 occurred=发生 off=销 ok=正确 on=在 only=仅限
opened=开启 opening=营业 order=订单 ordering=排序 out=商户 outbound=出库 outcome=结果
over=交 overridden=覆盖 override=覆盖 owner=所有者 package=包装 paid=支付 parent=上级
password=密码 path=层级路径 payload=内容 payment=支付 pem=PEM per=每 person=人
personal=个人 pharmacist=药师 pharmacy=药店 phone=电话 pickup=取药 pieces=饮片
placer=开单方 prefix=前缀 prefixes=前缀 pregnant=妊娠 prescription=处方 price=价格
primary=主 principal=调用方 product=药品 professional=专业技术 public=公 qr=二维码
quantity=数量 queue=排队 raw=原始 reaction=反应 reason=原因 receipt=收据 received=收到
recipient=收件人 recorded=记录 ref=引用 refund=退款 refusal=拒付 region=地区 regions=地区
registered=登记 registration=注册 remote=远端 reported=上报 request=请求 requested=申请
resolution=处理结果 resolved=解决 resource=资源 respond=响应 responded=响应 response=响应
restriction=限制 revision=修订号 revoked=吊销 role=角色 roles=角色 route=给药途径 rule=规则
rxno=处方号 same=同 scan=扫描 scanned=扫描 scope=范围 search=检索 secondary=辅 secret=密钥
seen=活动 sender=发送方 sent=发送 serial=序列 service=服务 session=会话 set=版本 settled=结算
severe=严重 severity=严重程度 sex=性别 signature=签名 signed=签名 since=起始 single=单次
skin=皮 source=来源 specification=规格 spot=抽 standard=标准 started=开始 state=状态
status=状态 step=续 store=到店 subject=标题 summary=摘要 supersedes=替代 supply=供应
system=系统 tariff=运费表 task=任务 template=模板 test=试 text=文本 title=职称 token=令牌
topic=主题 total=总 trace=追溯 tracking=运单 trade=交易 truncated=截断 type=类型 unit=单位
until=截止 updated=更新 used=使用 user=用户 username=用户名 valid=有效 validity=有效
value=值 visit=就诊 void=作废 warned=预警 weight=重量 workstation=工作站 worst=最高
written=核销 check=检 checked=检 patient=患者 to=给 icd10=ICD-10 length=长度
attempt=尝试 ip=IP version=版本
""".split())

# What a suffix says about a column: (Chinese template, English template).
SUFFIXES: list[tuple[str, str, str]] = [
    ("_enc", "{zh}（密文：AES-GCM 加密，需密钥解读）",
     "{en}, encrypted (AES-GCM; reading it needs the key folder)"),
    ("_bidx", "{zh}的检索索引（带密钥的哈希，不可还原）",
     "keyed hash of the {en}, for exact search (not reversible)"),
    ("_by_id", "{zh}人（员工 ID）", "staff user who {en} (id)"),
    ("_by_name", "{zh}人姓名", "name of the staff user who {en}"),
    ("_by", "{zh}人", "who {en}"),
    ("_at", "{zh}时间", "when {en}"),
    ("_on", "{zh}日期", "date {en}"),
    ("_fen", "{zh}（单位：分）", "{en}, in fen (1/100 yuan)"),
    ("_id", "{zh} ID", "{en} (id)"),
    ("_hash", "{zh}哈希", "hash of the {en}"),
    ("_g", "{zh}（克）", "{en}, in grams"),
    ("_kg", "{zh}（千克）", "{en}, in kg"),
]


def _words_zh(name: str) -> str:
    return "".join(WORDS.get(w, w) for w in name.split("_") if w)


def describe_column(name: str, table: str = "") -> tuple[str, str, str]:
    """(Chinese, English, source) for a column called `name` (of `table`)."""
    for key in (f"{table}.{name}", name):
        if key in COLUMNS:
            return (*COLUMNS[key], "mapping")
    for suffix, zh, en in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            known = COLUMNS.get(f"{table}.{base}") or COLUMNS.get(base)
            if known:
                base_zh, base_en = known
            else:
                base_zh, base_en = _words_zh(base), base.replace("_", " ")
            return zh.format(zh=base_zh), en.format(en=base_en), "generated from the name"
    return _words_zh(name), name.replace("_", " ").capitalize(), "generated from the name"


def _docstrings() -> dict[str, str]:
    """Each model's table and the first paragraph of its docstring (English)."""
    import server.models  # noqa: F401  (every model, so the registry is complete)
    from server.core.db import Base

    found = {}
    for mapper in Base.registry.mappers:
        table = getattr(mapper.class_, "__tablename__", None)
        doc = (mapper.class_.__doc__ or "").strip()
        if table and doc:
            found[table] = " ".join(doc.split("\n\n")[0].split())
    return found


def entries(conn: psycopg.Connection[Any], tables: list[dict[str, Any]]
            ) -> list[dict[str, str]]:
    """One row per table (column '') and per column: zh, en, type, nullable, source."""
    comments = {(t, c or ""): d for t, c, d in conn.execute(
        "SELECT c.relname, a.attname, d.description FROM pg_description d "
        "JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
        "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid "
        "AND d.objsubid > 0").fetchall()}
    docs = _docstrings()
    rows = []
    for table in tables:
        name = table["name"]
        zh, en = TABLES.get(name, (_words_zh(name), name.replace("_", " ").capitalize()))
        source = "mapping" if name in TABLES else "generated from the name"
        if name in docs:
            en, source = docs[name], "model docstring; Chinese: mapping"
        if (name, "") in comments:
            en, source = comments[(name, "")], "COMMENT ON; Chinese: mapping"
        rows.append({"table": name, "column": "", "type": "table", "nullable": "",
                     "zh": zh, "en": en, "source": source})
        for column in table["columns"]:
            czh, cen, csource = describe_column(column["name"], name)
            if (name, column["name"]) in comments:
                cen, csource = comments[(name, column["name"])], "COMMENT ON; Chinese: " + csource
            if column["type"] == "boolean" and not czh.startswith("是否"):
                czh, cen = "是否" + czh, "Whether " + cen[:1].lower() + cen[1:]
            if column["name"] in table["primary_key"] and "主键" not in czh:
                czh, cen = czh + "（主键）", cen + " (primary key)"
            rows.append({"table": name, "column": column["name"], "type": column["type"],
                         "nullable": "yes" if column["nullable"] else "no",
                         "zh": czh, "en": cen, "source": csource})
    return rows


def write_dictionary(conn: psycopg.Connection[Any], tables: list[dict[str, Any]],
                     out: Path) -> list[dict[str, str]]:
    rows = entries(conn, tables)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, ["table", "column", "type", "nullable", "zh", "en", "source"])
    writer.writeheader()
    writer.writerows(rows)
    # With a BOM, as the data CSVs: Excel and WPS then read the Chinese as UTF-8.
    (out / "dictionary.csv").write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode())
    lines = ["# 数据字典 · Data dictionary", ""]
    for row in rows:
        if not row["column"]:
            lines += ["", f"## {row['table']}", "", f"{row['zh']}  ", f"{row['en']}", "",
                      "| 列 column | 类型 type | 可空 null | 说明 | description |",
                      "|---|---|---|---|---|"]
        else:
            cells = [row[k].replace("|", "\\|") for k in ("column", "type", "nullable", "zh",
                                                                  "en")]
            lines.append("| " + " | ".join(cells) + " |")
    (out / "dictionary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows
