"""The adapter to the insurance e-prescription centre: one method per call, inside the envelope.

Every call seals its data (server/insurance/envelope.py), posts it to `{base}/{api}`, and opens
the answer: the answer must carry the platform's signature, decrypt, be fresh, answer this very
request (`requestNonce`) and not repeat a nonce. What goes wrong is one of two exceptions:

- `PlatformRefused`: the centre answered, signed, and said no (a patient not insured, a drug not
  in the circulation catalogue, a revoke after dispensing...). Final: asking again gives the
  same answer.
- `PlatformUnavailable`: no trustworthy answer (no connection, a timeout, an HTTP error, an
  answer that fails the envelope's checks, which is what a tampered one does). Nothing is known
  to have happened; the call may be repeated (the centre's calls are idempotent by their keys).

Pick the implementation from a URL, as the other adapters do: `http(s)://host/epc` for a real
centre (credentials from RXP_INSURANCE_CREDENTIALS), `sim://` for the simulator in-process with
keys made on the spot.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from common import signing
from server.core import outbound
from server.insurance import envelope
from server.insurance import transactions as tx
from server.insurance.envelope import AppCredentials, EnvelopeError, NonceBook

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
PLATFORM_NAME = "医保电子处方中心"


class PlatformError(Exception):
    def __init__(self, transaction: tx.Transaction, message: str, code: int | None = None):
        super().__init__(f"{transaction.title}（{transaction.api}/{transaction.code_2021}）：{message}")
        self.transaction = transaction
        self.message = message
        self.code = code


class PlatformRefused(PlatformError):
    """The centre's signed refusal."""


class PlatformUnavailable(PlatformError):
    """No answer that can be trusted."""


@dataclass(frozen=True)
class CallRecord:
    """One exchange, as the adapter saw it (the log of calls tests and audits read)."""

    api: str
    code_2021: str
    outcome: str  # ok | refused | unavailable
    code: int | None
    message: str


class InsurancePlatform:
    def __init__(self, base_url: str, credentials: AppCredentials, *,
                 timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.AsyncBaseTransport | None = None,
                 now_ms: Callable[[], int] = envelope.now_ms,
                 name: str = PLATFORM_NAME) -> None:
        self.name = name
        self.timeout = timeout
        self.credentials = credentials
        self._key = signing.load_private_key(credentials.private_key_pem)
        self._platform_key = signing.load_public_key(credentials.platform_public_key_pem)
        self._now = now_ms
        self._nonces = NonceBook()
        self._client = outbound.async_client(base_url=base_url.rstrip("/") + "/",
                                              timeout=timeout, transport=transport)
        self.calls: list[CallRecord] = []
        # The simulator's state when it runs in this process (`sim://`), for tests and demos.
        self.simulator: Any = None

    async def aclose(self) -> None:
        await self._client.aclose()

    async def call(self, transaction: tx.Transaction, data: dict[str, Any], *,
                   msgid: str | None = None) -> dict[str, Any]:
        """The centre's answer data to `data`; PlatformRefused / PlatformUnavailable. With a
        `msgid` (envelope.message_id) the call is carried out once however often it is sent:
        the centre answers a msgid it has done with its first answer."""
        try:
            answer = await self._exchange(transaction, data, msgid)
        except PlatformError as exc:
            outcome = "refused" if isinstance(exc, PlatformRefused) else "unavailable"
            self.calls.append(CallRecord(transaction.api, transaction.code_2021, outcome,
                                         exc.code, exc.message))
            raise
        self.calls.append(CallRecord(transaction.api, transaction.code_2021, "ok", 0, "成功"))
        return answer

    async def _exchange(self, transaction: tx.Transaction, data: dict[str, Any],
                        msgid: str | None) -> dict[str, Any]:
        creds = self.credentials
        numbered = None if msgid is None else {"infno": transaction.code_2021, "msgid": msgid}
        sealed = envelope.seal(data, app_id=creds.app_id, app_secret=creds.app_secret,
                               signer=self._key, now=self._now(), extra_fields=numbered)
        unavailable = PlatformUnavailable
        try:
            # An overall deadline: httpx's timeouts are per network operation.
            async with asyncio.timeout(self.timeout):
                response = await self._client.post(transaction.api, json=sealed)
        except (httpx.TimeoutException, TimeoutError):
            raise unavailable(transaction, f"{self.name}超时（超过 {self.timeout:g} 秒）") from None
        except httpx.HTTPError as exc:
            log.warning("insurance centre unreachable: %s", exc)
            raise unavailable(transaction, f"{self.name}无法连接") from exc
        try:
            body = response.json()
        except json.JSONDecodeError:
            raise unavailable(transaction,
                              f"{self.name}应答不是 JSON（HTTP {response.status_code}）") from None
        if response.status_code != 200 or "signData" not in body:
            # Unsigned: the centre could not tell who we are, or a proxy answered. Not to be
            # trusted as a refusal, so not final.
            message = body.get("message") if isinstance(body, dict) else None
            raise unavailable(transaction, f"{self.name}返回错误（HTTP {response.status_code}）"
                              + (f"：{message}" if message else ""))
        try:
            opened = envelope.open_sealed(body, app_secret=creds.app_secret,
                                          verifier=self._platform_key, now=self._now())
            if opened.fields.get("appId") != creds.app_id:
                raise EnvelopeError(envelope.BAD_SIGNATURE, "应答的 appId 不符")
            if opened.fields.get("requestNonce") != sealed["nonce"]:
                raise EnvelopeError(envelope.REPLAYED, "应答不是对本次请求的应答")
            self._nonces.check_and_add(opened.nonce, self._now())
        except EnvelopeError as exc:
            log.warning("insurance centre answer refused (%s): %s", exc.code, exc.message)
            raise unavailable(transaction, f"{self.name}应答未通过验证：{exc.message}",
                              exc.code) from exc
        code = _code(opened.fields.get("code"))
        if code != 0:
            raise PlatformRefused(transaction, str(opened.fields.get("message") or "拒绝"), code)
        return opened.data

    # -- the calls --------------------------------------------------------------------------

    async def pre_check(self, rx: dict[str, Any]) -> dict[str, Any]:
        return await self.call(tx.PRE_CHECK, rx)

    async def sign(self, data: dict[str, Any]) -> dict[str, Any]:
        return await self.call(tx.SIGN, data)

    async def upload(self, data: dict[str, Any]) -> dict[str, Any]:
        return await self.call(tx.UPLOAD, data)

    async def revoke(self, data: dict[str, Any], *, msgid: str | None = None) -> dict[str, Any]:
        return await self.call(tx.REVOKE, data, msgid=msgid)

    async def detail(self, hi_rxno: str) -> dict[str, Any]:
        return await self.call(tx.DETAIL, {"hiRxno": hi_rxno})

    async def review_result(self, hi_rxno: str) -> dict[str, Any]:
        return await self.call(tx.REVIEW_RESULT, {"hiRxno": hi_rxno})

    async def settlement(self, hi_rxno: str) -> dict[str, Any]:
        return await self.call(tx.SETTLEMENT, {"hiRxno": hi_rxno})

    async def catalogue(self, generic_name: str | None = None) -> dict[str, Any]:
        return await self.call(tx.CATALOGUE, {"drugGenname": generic_name or "",
                                              "pageNum": 1, "pageSize": 100})

    async def settle(self, data: dict[str, Any]) -> dict[str, Any]:
        return await self.call(tx.SETTLE, data)

    async def write_off(self, data: dict[str, Any], *,
                        msgid: str | None = None) -> dict[str, Any]:
        return await self.call(tx.WRITE_OFF, data, msgid=msgid)


def _code(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return envelope.MALFORMED


SIM_BASE_URL = "http://insurance.sim/epc"


def insurance_platform_for_url(url: str, *, credentials_file: Path | None = None,
                               timeout: float = DEFAULT_TIMEOUT) -> InsurancePlatform | None:
    """None when no URL is configured (payments stay all cash, as without the centre);
    `sim://` -> the simulator in this process; `http(s)://...` -> that centre, with the
    application's credentials (appId, appSecret, its SM2 key, the centre's public key) read
    from `credentials_file`."""
    if not url:
        return None
    if url.startswith("sim://"):
        from server.insurance.simulator import SimulatorState, create_simulator

        sim = SimulatorState()
        platform = InsurancePlatform(SIM_BASE_URL, sim.enrol(), timeout=timeout,
                                     transport=httpx.ASGITransport(app=create_simulator(sim)),
                                     name="医保电子处方中心（模拟）")
        platform.simulator = sim
        return platform
    if url.startswith(("http://", "https://")):
        if credentials_file is None or not credentials_file.is_file():
            raise ValueError("RXP_INSURANCE_URL 已配置，"
                             "但 RXP_INSURANCE_CREDENTIALS 指向的凭据文件不存在")
        credentials = AppCredentials.from_json(json.loads(credentials_file.read_text()))
        return InsurancePlatform(url, credentials, timeout=timeout)
    raise ValueError(f"不支持的医保平台地址：{url}（应为 http(s):// 或 sim://）")
