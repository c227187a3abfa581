"""The medical-insurance split of an amount: 统筹基金, 个人账户, 现金 (fen)."""

from __future__ import annotations

from dataclasses import dataclass

from server.core.errors import Unprocessable


@dataclass(frozen=True, slots=True)
class InsuranceSplit:
    fund_fen: int = 0  # 统筹基金
    personal_account_fen: int = 0  # 个人账户
    cash_fen: int = 0  # 现金（自付）

    @property
    def total_fen(self) -> int:
        return self.fund_fen + self.personal_account_fen + self.cash_fen


LABELS = {"fund_fen": "统筹基金", "personal_account_fen": "个人账户", "cash_fen": "现金"}


def checked_split(amount_fen: int, split: InsuranceSplit | None) -> InsuranceSplit:
    """The split of `amount_fen` (all cash when none is given); 422 naming the field otherwise."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 1:
        raise Unprocessable("金额必须为正整数（分）", field="amount_fen")
    if split is None:
        return InsuranceSplit(cash_fen=amount_fen)
    for name, label in LABELS.items():
        value = getattr(split, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Unprocessable(f"{label}金额必须为非负整数（分）", field=f"split.{name}")
    if split.total_fen != amount_fen:
        raise Unprocessable(
            f"医保分担之和（统筹基金 {split.fund_fen} + 个人账户 {split.personal_account_fen}"
            f" + 现金 {split.cash_fen} = {split.total_fen} 分）与金额 {amount_fen} 分不符",
            field="split")
    return split
