"""The SMS gateway patients' notifications go out through.

The interface is `NotificationGateway`; the implementation is chosen by a URL in the settings
(`RXP_SMS_GATEWAY_URL`), as the hardware drivers and the rational-drug-use adapter are:

- `sim://` the simulator that ships in the product: it keeps what it sent in memory (tests and
  the demo read it there) and, with `?log=/path/sms.log`, appends each message to a file as one
  JSON line; `?fail=1` makes every send fail (`?fail=0.3` about a third), and
  `inject_failures(n)` fails the next n sends;
- `http(s)://host/path` a gateway taking `POST {"phone", "text"}` and answering
  `{"message_id"}` (the vendor-specific adapters, Aliyun or Tencent SMS, are other
  implementations of the same interface).

Failures are typed: `GatewayUnavailable` is worth retrying, `DestinationRejected` is not.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

import httpx

from server.core import outbound

DEFAULT_TIMEOUT = 5.0


class GatewayError(Exception):
    """The message was not accepted by the gateway."""


class GatewayUnavailable(GatewayError):
    """No connection, a timeout, an overloaded gateway: try again later."""


class DestinationRejected(GatewayError):
    """The gateway refuses this number or text for good (empty number, blacklisted...)."""


class NotificationGateway(Protocol):
    async def send_sms(self, phone: str, text: str) -> str:
        """Send `text` to `phone`; the gateway's message id. Raises GatewayError."""
        ...


@dataclass(frozen=True)
class SentSms:
    message_id: str
    phone: str
    text: str
    at: datetime


class SimulatedSmsGateway:
    """An SMS gateway in memory. What a real one would deliver to the phone is kept in `sent`."""

    name = "短信网关（模拟）"

    def __init__(self, *, log_path: Path | None = None, fail_rate: float = 0.0) -> None:
        if not 0.0 <= fail_rate <= 1.0:
            raise ValueError("fail rate must be between 0 and 1")
        self.sent: list[SentSms] = []
        self.log_path = log_path
        self.fail_rate = fail_rate
        self.attempts = 0
        self._fail_next = 0
        self._lock = asyncio.Lock()

    def inject_failures(self, count: int) -> None:
        """The next `count` sends fail with GatewayUnavailable."""
        self._fail_next = count

    def messages_to(self, phone: str) -> list[SentSms]:
        return [m for m in self.sent if m.phone == phone]

    async def send_sms(self, phone: str, text: str) -> str:
        async with self._lock:
            self.attempts += 1
            if not phone.isdigit():
                raise DestinationRejected(f"号码格式不正确：{phone[:3]}…")
            if self._fail_next > 0:
                self._fail_next -= 1
                raise GatewayUnavailable("模拟网关：注入的发送失败")
            if self.fail_rate and random.random() < self.fail_rate:
                raise GatewayUnavailable("模拟网关：按配置的失败率发送失败")
            message = SentSms(message_id=f"sim-{uuid.uuid4().hex[:16]}", phone=phone, text=text,
                              at=datetime.now(UTC))
            self.sent.append(message)
            if self.log_path is not None:
                line = json.dumps({"message_id": message.message_id, "phone": phone,
                                   "text": text, "at": message.at.isoformat()},
                                  ensure_ascii=False)
                await asyncio.to_thread(_append_line, self.log_path, line)
            return message.message_id


def _append_line(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


class HttpSmsGateway:
    """JSON over HTTP. Connection trouble, timeouts and 5xx/429 are worth a retry; other
    refusals (4xx) are not."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self._client = outbound.async_client(timeout=timeout, transport=transport)

    async def send_sms(self, phone: str, text: str) -> str:
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._client.post(self.url, json={"phone": phone, "text": text})
        except (httpx.TimeoutException, TimeoutError):
            raise GatewayUnavailable(f"短信网关超时（超过 {self.timeout:g} 秒）") from None
        except httpx.HTTPError as exc:
            raise GatewayUnavailable(f"短信网关无法连接：{type(exc).__name__}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise GatewayUnavailable(f"短信网关暂不可用（HTTP {response.status_code}）")
        if response.status_code >= 400:
            raise DestinationRejected(f"短信网关拒绝发送（HTTP {response.status_code}）")
        try:
            message_id = response.json()["message_id"]
        except (ValueError, KeyError, TypeError):
            raise GatewayUnavailable("短信网关应答格式不正确") from None
        return str(message_id)

    async def aclose(self) -> None:
        await self._client.aclose()


def gateway_for_url(url: str, *,
                    timeout: float = DEFAULT_TIMEOUT) -> SimulatedSmsGateway | HttpSmsGateway:
    """`sim://[?log=path][&fail=rate]` -> the simulator; `http(s)://...` -> that gateway."""
    if url.startswith(("http://", "https://")):
        return HttpSmsGateway(url, timeout=timeout)
    if url.startswith("sim://"):
        query = parse_qs(urlsplit(url).query)
        log = query.get("log", [None])[0]
        try:
            fail = float(query.get("fail", ["0"])[0])
        except ValueError:
            raise ValueError(f"短信网关地址中的 fail 应为 0 到 1 之间的数：{url}") from None
        return SimulatedSmsGateway(log_path=Path(log) if log else None, fail_rate=fail)
    raise ValueError(f"不支持的短信网关地址：{url}（应为 http(s):// 或 sim://）")
