from __future__ import annotations

import pytest

from common.hardware.card.status_words import describe_status_word
from common.hardware.errors import CardStatusError


@pytest.mark.parametrize(("sw", "text"), [
    (0x9000, "操作成功"),
    (0x6A82, "卡片中未找到该应用或文件"),
    (0x6D00, "卡片不支持此指令"),
    (0x6982, "安全状态不满足"),
    (0x6983, "卡片密码已锁定"),
    (0x63C2, "卡片密码错误，还可重试 2 次"),
    (0x6C10, "应为 16 字节"),
    (0x6110, "还有 16 字节数据待取"),
    (0x6400, "卡片执行出错"),
    (0x9F01, "卡片返回未知状态"),
])
def test_status_words_in_chinese(sw: int, text: str) -> None:
    message = describe_status_word(sw)
    assert text in message
    assert message.endswith(f"（SW={sw:04X}）")


def test_status_error_carries_the_word() -> None:
    error = CardStatusError(0x6A82)
    assert error.sw == 0x6A82
    assert str(error) == describe_status_word(0x6A82)
