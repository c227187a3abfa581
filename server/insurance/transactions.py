"""The calls of the insurance e-prescription centre and their 2021 transaction codes.

Two generations of the interface are in use (../shared/DOMAIN.md section 7). The adapter speaks
the centre's REST calls (`uploadChk`, `rxFixmedinsSign`, ...) and records with each call the
2021 code a HIS of the older generation would have sent, so logs and reconciliation with the
insurance bureau can use either name. The 2021 codes are as public HIS implementations use
them: hospital side 7101 upload, 7102 review result, 7103 purchase (settlement) result,
7104 revoke, 7105 payment status; pharmacy side 7201 QR code -> ec token, 7202 authorise,
7203 download, 7204 pharmacist review upload, 7205 delivery status, 7206 sale write-off with the
traceability codes. In the 2021 generation pre-check, signature and upload were one call
(7101); the REST generation splits them in three, so all three map to 7101.

Settlement itself is not an e-prescription transaction: the pharmacy settles through the
ordinary outpatient settlement (2207); its result reaches the prescribing side as 7103
(`rxSetlInfoQuery`). Our platform acts for both sides, so it settles and reports in one call,
`rxSetl`, mapped to 2207 / 7103. 7201-7203 are not used: the prescription is already on this
platform when the patient chooses a pharmacy (there is no QR code of the insurance app to scan),
and 7205 is carried by our own delivery tracking; they are listed so the table is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Side(StrEnum):
    HOSPITAL = "hospital"  # 定点医疗机构
    PHARMACY = "pharmacy"  # 定点零售药店


@dataclass(frozen=True)
class Transaction:
    api: str  # the REST call's name (the simulator's path: POST /epc/{api})
    code_2021: str  # the 2021 transaction code(s)
    side: Side
    title: str  # 中文名称


PRE_CHECK: Final = Transaction("uploadChk", "7101", Side.HOSPITAL, "电子处方上传预核验")
SIGN: Final = Transaction("rxFixmedinsSign", "7101", Side.HOSPITAL, "电子处方医保电子签名")
UPLOAD: Final = Transaction("rxFileUpld", "7101", Side.HOSPITAL, "电子处方上传")
REVOKE: Final = Transaction("rxUndo", "7104", Side.HOSPITAL, "电子处方撤销")
DETAIL: Final = Transaction("hospRxDetlQuery", "-", Side.HOSPITAL, "电子处方信息查询")
REVIEW_RESULT: Final = Transaction("rxChkInfoQuery", "7102", Side.HOSPITAL, "电子处方审核结果查询")
SETTLEMENT: Final = Transaction("rxSetlInfoQuery", "7103", Side.HOSPITAL, "电子处方取药结果查询")
CATALOGUE: Final = Transaction("circDrugQuery", "-", Side.HOSPITAL, "电子处方流转药品目录查询")
SETTLE: Final = Transaction("rxSetl", "2207/7103", Side.PHARMACY, "处方购药结算")
WRITE_OFF: Final = Transaction("rxSaleWriteOff", "7206", Side.PHARMACY, "处方销售出库核销")

TRANSACTIONS: Final = (PRE_CHECK, SIGN, UPLOAD, REVOKE, DETAIL, REVIEW_RESULT, SETTLEMENT,
                       CATALOGUE, SETTLE, WRITE_OFF)
BY_API: Final = {t.api: t for t in TRANSACTIONS}

# 2021 codes this platform does not send, and why (see the module docstring).
UNUSED_2021: Final = {
    "7201": "处方二维码解析（电子凭证令牌）：处方已在本平台，无需扫描医保码",
    "7202": "处方授权：同上",
    "7203": "处方下载：同上",
    "7204": "药师审核结果上传：由医院药师在本平台审核，随 7101 上传",
    "7205": "配送状态：由本平台的配送追踪承担",
    "7105": "处方支付状态：支付由 rxSetl 结算一并报告",
}


# Business refusals of the centre (the envelope's own are 1xxx, server/insurance/envelope.py).
NOT_INSURED: Final = 2001  # 参保人无有效参保信息
NOT_COVERED: Final = 2002  # 药品不在流转目录 / 不予支付
UNKNOWN_RX: Final = 2003  # 处方不存在
DISPENSED: Final = 2004  # 已取药（已核销），不能撤销
WRONG_STATE: Final = 2005  # 处方状态不允许该操作
AMOUNT_MISMATCH: Final = 2006  # 金额不符
INVALID_FIELD: Final = 2007  # 字段缺失或格式不正确
MSGID_REUSED: Final = 2008  # 报文ID已用于另一笔不同的交易

# Prescription status codes of the centre (rxStasCodg).
RX_VALID, RX_USED, RX_REVOKED = "1", "2", "3"
RX_STATUS_NAMES: Final = {RX_VALID: "有效", RX_USED: "已使用", RX_REVOKED: "已撤销"}
