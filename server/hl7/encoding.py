"""The character set of an HL7 message (MSH-18), read from the raw bytes before decoding.

Chinese HIS send UTF-8 or GB18030 (and call it by several names). A message that declares its
character set is decoded strictly in it; one that declares none is tried as UTF-8, then as
GB18030 (GB18030 decodes almost any bytes, so it comes last). The answer is encoded in the
request's character set, so its Chinese texts read correctly on the HIS's side.
"""

from __future__ import annotations

from dataclasses import dataclass

# MSH-18 values (HL7 table 0211 and the names seen in practice) -> Python codec.
CODECS: dict[str, str] = {
    "UNICODE UTF-8": "utf-8", "UTF-8": "utf-8", "UTF8": "utf-8",
    "GB 18030-2000": "gb18030", "GB18030": "gb18030", "GB 18030": "gb18030",
    "GBK": "gb18030", "GB2312": "gb18030", "GB 2312": "gb18030", "CNS 11643-1992": "big5",
    "ASCII": "ascii", "8859/1": "latin-1",
}


class EncodingProblem(Exception):
    def __init__(self, text: str, *, code: str) -> None:
        super().__init__(text)
        self.text = text
        self.code = code


@dataclass(frozen=True)
class Charset:
    name: str  # as MSH-18 says it (echoed in the answer)
    codec: str


def declared(raw: bytes) -> str:
    """MSH-18 as sent ('' when absent); MSH is ASCII in every character set used here."""
    first = raw.replace(b"\n", b"\r").split(b"\r", 1)[0]
    if not first.startswith(b"MSH") or len(first) < 4:
        return ""
    fields = first.split(first[3:4])
    # fields[0] is "MSH" and fields[1] MSH-2, because MSH-1 is the separator itself.
    if len(fields) < 18:
        return ""
    repetition = fields[1][1:2] or b"~"
    return fields[17].split(repetition, 1)[0].decode("ascii", "replace").strip()


def decode(raw: bytes) -> tuple[str, Charset]:
    name = declared(raw)
    if name:
        codec = CODECS.get(name.upper())
        if codec is None:
            raise EncodingProblem(f"不支持的字符集「{name}」（MSH-18）", code="103")
        try:
            return raw.decode(codec), Charset(name, codec)
        except UnicodeDecodeError:
            raise EncodingProblem(f"消息内容不是 MSH-18 声明的字符集「{name}」",
                                  code="102") from None
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec), Charset("", codec)
        except UnicodeDecodeError:
            continue
    raise EncodingProblem("无法识别消息的字符集，请在 MSH-18 中声明", code="102")
