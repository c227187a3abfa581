"""The adapter to the hospital's rational-drug-use system (合理用药, e.g. PASS).

On submit, the prescription is also sent to the hospital's own system, which answers a warning
level per line on the same PASS scale as our engine. The interface is `RationalUseSystem`; the
implementation here speaks HTTP + JSON (the real vendor protocol is the integrations issue's:
it will be another implementation of the same interface). Whatever goes wrong (no connection,
timeout, an HTTP error, an answer we cannot read, a line left unanswered), the lines concerned
come back "not checked" (level -1) with the reason: never as passed.

Pick the implementation from a URL, as the hardware drivers do: `http(s)://host/path` for a
real endpoint, `sim://` for the simulator that ships in the product
(server/checks/rational_use_sim.py), run in-process.

Wire format (version 1), POST {base}/check:
    request  {"patient": {...PatientFacts}, "lines": [{...CheckLine}, ...]}
    response {"system": "名称", "lines": [{"index": 0, "level": 2, "messages": ["..."]}, ...]}
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import httpx
from pydantic import TypeAdapter

from server.checks.levels import Level, worst
from server.checks.model import CheckRequest
from server.core import outbound

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.0  # seconds; the doctor is waiting on submit
SYSTEM_NAME = "合理用药系统"


@dataclass(frozen=True, slots=True)
class RationalUseLine:
    index: int
    level: Level
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RationalUseResult:
    """The answer per line. `checked` is False when the system could not be asked at all;
    lines may still be individually "not checked" (negative level) when it was."""

    system: str
    lines: tuple[RationalUseLine, ...]
    checked: bool = True
    reason: str | None = None

    def line(self, index: int) -> RationalUseLine:
        for line in self.lines:
            if line.index == index:
                return line
        return RationalUseLine(index, Level.NOT_CHECKED, ("合理用药系统未返回该行结果",))

    @property
    def worst(self) -> Level:
        return worst(line.level for line in self.lines)

    @property
    def all_checked(self) -> bool:
        return self.checked and all(line.level >= 0 for line in self.lines)

    @classmethod
    def not_checked(cls, request: CheckRequest, reason: str,
                    system: str = SYSTEM_NAME) -> RationalUseResult:
        return cls(system=system, checked=False, reason=reason,
                   lines=tuple(RationalUseLine(line.index, Level.NOT_CHECKED, (reason,))
                               for line in request.lines))


class RationalUseSystem(Protocol):
    async def check(self, request: CheckRequest) -> RationalUseResult: ...


@cache
def _request_adapter() -> TypeAdapter[CheckRequest]:
    return TypeAdapter(CheckRequest)


def request_json(request: CheckRequest) -> dict[str, Any]:
    """The wire form of a request (Decimals as strings, tuples as lists)."""
    data: dict[str, Any] = _request_adapter().dump_python(request, mode="json")
    return data


def parse_answer(request: CheckRequest, body: Any, system: str) -> RationalUseResult:
    """Read a response body; ValueError when it is not the expected shape at all. Lines the
    answer leaves out, or gives a level off the scale, are not checked."""
    if not isinstance(body, dict) or not isinstance(body.get("lines"), list):
        raise ValueError("应答缺少 lines")
    given = body.get("system")
    name = given if isinstance(given, str) else system
    answered: dict[int, RationalUseLine] = {}
    for item in body["lines"]:
        if not isinstance(item, dict) or not isinstance(item.get("index"), int):
            raise ValueError("应答行格式不正确")
        messages = item.get("messages") or []
        if not isinstance(messages, list):
            raise ValueError("应答 messages 格式不正确")
        raw_level = item.get("level")
        try:
            if not isinstance(raw_level, int) or isinstance(raw_level, bool):
                raise ValueError(raw_level)
            line_level = Level(raw_level)
        except ValueError:
            answered[item["index"]] = RationalUseLine(
                item["index"], Level.NOT_CHECKED,
                (f"合理用药系统返回了无法识别的警示级别：{raw_level!r}",))
            continue
        answered[item["index"]] = RationalUseLine(item["index"], line_level,
                                                  tuple(str(m) for m in messages))
    lines = []
    for line in request.lines:
        found = answered.get(line.index)
        lines.append(found if found is not None else RationalUseLine(
            line.index, Level.NOT_CHECKED, ("合理用药系统未返回该行结果",)))
    return RationalUseResult(system=name, lines=tuple(lines))


class HttpRationalUseSystem:
    """JSON over HTTP, with a timeout; every failure becomes "not checked"."""

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.AsyncBaseTransport | None = None,
                 name: str = SYSTEM_NAME) -> None:
        self.name = name
        self.timeout = timeout
        self._client = outbound.async_client(base_url=base_url, timeout=timeout,
                                             transport=transport)

    async def check(self, request: CheckRequest) -> RationalUseResult:
        try:
            # An overall deadline: httpx's timeouts are per network operation (and an
            # in-process transport has none), a trickling answer must not hold submit up.
            async with asyncio.timeout(self.timeout):
                response = await self._client.post("/check", json=request_json(request))
        except (httpx.TimeoutException, TimeoutError):
            return self._failed(request, f"{self.name}超时（超过 {self.timeout:g} 秒），未审查")
        except httpx.HTTPError as exc:
            log.warning("rational-use system unreachable: %s", exc)
            return self._failed(request, f"{self.name}无法连接，未审查")
        if response.status_code != 200:
            return self._failed(
                request, f"{self.name}返回错误（HTTP {response.status_code}），未审查")
        try:
            return parse_answer(request, response.json(), self.name)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            log.warning("rational-use system answered garbage: %s", exc)
            return self._failed(request, f"{self.name}应答格式不正确，未审查")

    def _failed(self, request: CheckRequest, reason: str) -> RationalUseResult:
        return RationalUseResult.not_checked(request, reason, self.name)

    async def aclose(self) -> None:
        await self._client.aclose()


SIM_BASE_URL = "http://rational-use.sim"


def rational_use_for_url(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> HttpRationalUseSystem:
    """`http(s)://...` -> that endpoint; `sim://` -> the simulator, in this process."""
    if url.startswith(("http://", "https://")):
        return HttpRationalUseSystem(url, timeout=timeout)
    if url.startswith("sim://"):
        from server.checks.rational_use_sim import create_simulator

        return HttpRationalUseSystem(SIM_BASE_URL, timeout=timeout,
                                     transport=httpx.ASGITransport(app=create_simulator()),
                                     name="合理用药系统（模拟）")
    raise ValueError(f"不支持的合理用药系统地址：{url}（应为 http(s):// 或 sim://）")
