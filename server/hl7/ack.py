"""Acknowledgements: AA (accepted), AE (error in the content: ERR segments name each field at
fault) and AR (rejected: not a message we can read, or one we do not take).

ERR follows v2.5: ERR-2 the location (segment ^ occurrence ^ field), ERR-3 the HL7 error code
(table 0357), ERR-4 the severity, ERR-8 the message for the HIS's users, in Chinese. MSA-3
repeats the first problem as text for systems that only show MSA.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from hl7apy.core import Message

VERSION = "2.5"
OUR_APPLICATION = "RXP"
OUR_FACILITY = "RXP"

# HL7 table 0357 (message error condition codes) as used here.
CODE_TEXT = {
    "100": "Segment sequence error", "101": "Required field missing",
    "102": "Data type error", "103": "Table value not found",
    "200": "Unsupported message type", "201": "Unsupported event code",
    "203": "Unsupported version id", "204": "Unknown key identifier",
    "205": "Duplicate key identifier", "207": "Application internal error",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a message: where (segment, its occurrence, field), what (code)."""

    segment: str
    text: str
    code: str = "101"
    field: int | None = None
    occurrence: int = 1

    @property
    def label(self) -> str:
        return self.segment if self.field is None else f"{self.segment}-{self.field}"

    @property
    def location(self) -> str:
        parts = [self.segment, str(self.occurrence)]
        if self.field is not None:
            parts.append(str(self.field))
        return "^".join(parts)


@dataclass
class Answer:
    """What to acknowledge a message with."""

    code: str  # AA | AE | AR
    problems: list[Problem] = field(default_factory=list)
    text: str = ""
    # For an accepted order: one ORC per line (placer number, our filler number).
    orders: list[tuple[str, str, str]] = field(default_factory=list)  # placer, filler, group


@dataclass(frozen=True)
class Request:
    """What the acknowledgement echoes of the request (as far as it could be read)."""

    control_id: str = ""
    sender: str = ""
    facility: str = ""
    processing_id: str = "P"
    charset: str = ""  # MSH-18 as the request said it
    trigger: str = ""  # O11 for RDE^O11


def escape(value: str) -> str:
    """Text as a field value: HL7's escape sequences for its separators."""
    # Text from outside (a name, an error message) must not break the segment.
    for char, escaped in (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"),
                          ("~", "\\R\\"), ("\r", " "), ("\n", " ")):
        value = value.replace(char, escaped)
    return value


def build(request: Request, answer: Answer, *, now: datetime) -> str:
    """The acknowledgement as ER7 text (segments separated by CR)."""
    order_ack = request.trigger == "O11"
    message = Message("RRE_O12" if order_ack else "ACK", version=VERSION)
    msh = message.msh
    msh.msh_3 = OUR_APPLICATION
    msh.msh_4 = OUR_FACILITY
    if request.sender:
        msh.msh_5 = escape(request.sender)
    if request.facility:
        msh.msh_6 = escape(request.facility)
    msh.msh_7 = now.strftime("%Y%m%d%H%M%S")
    msh.msh_9 = ("RRE^O12^RRE_O12" if order_ack
                 else f"ACK^{request.trigger}^ACK" if request.trigger else "ACK")
    msh.msh_10 = uuid.uuid4().hex
    msh.msh_11 = request.processing_id if request.processing_id in ("P", "D", "T") else "P"
    msh.msh_12 = VERSION
    if request.charset:
        msh.msh_18 = escape(request.charset)
    msa = message.msa
    msa.msa_1 = answer.code
    msa.msa_2 = escape(request.control_id)
    text = answer.text or (f"{answer.problems[0].label}：{answer.problems[0].text}"
                           if answer.problems else "")
    if text:
        msa.msa_3 = escape(text[:200])
    for problem in answer.problems:
        err = message.add_segment("ERR")
        err.err_2 = problem.location
        err.err_3 = f"{problem.code}^{CODE_TEXT.get(problem.code, '')}^HL70357"
        err.err_4 = "E"
        err.err_8 = escape(problem.text[:250])
    if answer.orders and order_ack:
        response = message.add_group("RRE_O12_RESPONSE")
        for placer, filler, group in answer.orders:
            order = response.add_group("RRE_O12_ORDER")
            order.orc.orc_1 = "OK"
            order.orc.orc_2 = escape(placer)
            order.orc.orc_3 = f"{escape(filler)}^{OUR_APPLICATION}"
            order.orc.orc_4 = escape(group)
            order.orc.orc_5 = "IP"
    return str(message.to_er7())
