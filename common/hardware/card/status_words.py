"""ISO 7816-4 status words (SW1 SW2) in Chinese, for messages the kiosk can show.

Exact words first, then the families whose low byte carries a number (61xx bytes waiting,
63Cx retries left, 6Cxx correct length).
"""

from __future__ import annotations

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_AUTH_BLOCKED = 0x6983
SW_NO_CURRENT_EF = 0x6986
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_OFFSET_OUTSIDE = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_UNKNOWN = 0x6F00

_EXACT: dict[int, str] = {
    SW_OK: "操作成功",
    SW_END_OF_FILE: "读取的数据不足（已到文件末尾）",
    0x6283: "所选文件已失效",
    0x6581: "卡片存储器故障",
    SW_WRONG_LENGTH: "卡片指令长度错误",
    0x6881: "卡片不支持该逻辑通道",
    0x6882: "卡片不支持安全报文",
    0x6981: "命令与文件结构不相容",
    SW_SECURITY_NOT_SATISFIED: "安全状态不满足，卡片拒绝读取（需先校验密码或卡片已锁定）",
    SW_AUTH_BLOCKED: "卡片密码已锁定，请到社保（医保）经办机构解锁",
    0x6984: "卡片中的数据无效",
    0x6985: "使用条件不满足",
    SW_NO_CURRENT_EF: "命令不被允许（未选择文件）",
    0x6A80: "卡片指令数据参数错误",
    0x6A81: "卡片不支持此功能",
    SW_FILE_NOT_FOUND: "卡片中未找到该应用或文件",
    0x6A83: "卡片中未找到该记录",
    0x6A84: "卡片存储空间不足",
    SW_WRONG_P1P2: "卡片指令参数 P1/P2 错误",
    0x6A88: "卡片中未找到引用的数据",
    SW_OFFSET_OUTSIDE: "读取位置超出文件范围",
    SW_INS_NOT_SUPPORTED: "卡片不支持此指令",
    SW_CLA_NOT_SUPPORTED: "卡片不支持此指令类别",
    SW_UNKNOWN: "卡片内部错误，原因未知",
    0x9303: "卡片应用已永久锁定",
}


def describe_status_word(sw: int) -> str:
    """The Chinese text for a status word, with the hex word appended for the service desk."""
    sw1, sw2 = sw >> 8, sw & 0xFF
    text = _EXACT.get(sw)
    if text is None:
        if sw1 == 0x61:
            text = f"卡片还有 {sw2} 字节数据待取"
        elif sw1 == 0x6C:
            text = f"卡片指令长度错误，应为 {sw2} 字节"
        elif sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
            text = f"卡片密码错误，还可重试 {sw2 & 0x0F} 次"
        elif sw1 in (0x62, 0x63):
            text = "卡片返回警告"
        elif sw1 in (0x64, 0x65, 0x66):
            text = "卡片执行出错"
        else:
            text = "卡片返回未知状态"
    return f"{text}（SW={sw:04X}）"
