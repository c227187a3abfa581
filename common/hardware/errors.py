"""Typed device errors, each with a Chinese message the apps can show as it is.

Every driver and every simulator raises these, so an app handles a real paper-out and a
simulated one with the same code. `DeviceError.message` is for people; the class is for code.
"""

from __future__ import annotations

from common.hardware.card.status_words import describe_status_word


class DeviceError(Exception):
    """A device could not do what was asked."""

    default_message = "设备故障"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class DeviceUrlError(DeviceError, ValueError):
    default_message = "设备地址无效"


# Card readers ------------------------------------------------------------------------------


class CardError(DeviceError):
    default_message = "读卡失败"


class NoCardReader(CardError):
    default_message = "未找到读卡器，请联系工作人员"


class NoCard(CardError):
    default_message = "读卡器中没有卡片，请插卡"


class CardRemovedDuringRead(CardError):
    default_message = "读卡过程中卡片被拔出，请重新插卡并在读卡完成前不要拔卡"


class UnknownCard(CardError):
    default_message = "无法识别此卡，请插入社保卡（医保卡）或本院就诊卡"


class CardCommunicationError(CardError):
    default_message = "与卡片通信失败，请重新插卡"


class CardStatusError(CardError):
    """The card answered a command with a status word other than 9000."""

    def __init__(self, sw: int, message: str | None = None) -> None:
        self.sw = sw
        super().__init__(message or describe_status_word(sw))


# Scanners ----------------------------------------------------------------------------------


class ScannerError(DeviceError):
    default_message = "扫码设备故障"


class ScannerUnavailable(ScannerError):
    default_message = "无法打开扫码设备，请联系工作人员"


class ScannerDisconnected(ScannerError):
    default_message = "扫码设备已断开，请联系工作人员"


# Receipt printers --------------------------------------------------------------------------


class PrinterError(DeviceError):
    """The printer cannot print. `after_printing` is set when the fault was found only in the
    status query after a receipt was sent: that receipt may be incomplete."""

    default_message = "打印机故障"
    after_printing_message = "打印过程中打印机出现故障，凭条可能不完整"

    def __init__(self, message: str | None = None, *, after_printing: bool = False) -> None:
        self.after_printing = after_printing
        if message is None and after_printing:
            message = self.after_printing_message
        super().__init__(message)


class PrinterUnavailable(PrinterError):
    default_message = "无法连接打印机，请联系工作人员"


class PrinterNotResponding(PrinterError):
    default_message = "打印机无响应，请联系工作人员"
    after_printing_message = "打印后打印机无响应，凭条可能不完整"


class PrinterOffline(PrinterError):
    default_message = "打印机离线，请联系工作人员"
    after_printing_message = "打印过程中打印机离线，凭条可能不完整"


class PaperOut(PrinterError):
    default_message = "打印机缺纸，请联系工作人员更换纸卷"
    after_printing_message = "打印过程中打印机缺纸，凭条可能不完整，请联系工作人员"


class CoverOpen(PrinterError):
    default_message = "打印机上盖未关闭，请联系工作人员"
    after_printing_message = "打印过程中打印机上盖被打开，凭条可能不完整"


def check_fault(fault: str, known: tuple[str, ...], device: str) -> None:
    """Simulators' fault names are configuration: a typo must fail loudly, not be ignored."""
    if fault not in known:
        raise ValueError(f"unknown {device} fault {fault!r} (one of {', '.join(known)})")
