"""A simulator of the insurance e-prescription centre (医保电子处方中心), shipped with the product.

It speaks the same envelope as the real centre (server/insurance/envelope.py) over HTTP,
`POST /epc/{api}` for every call of server/insurance/transactions.py, with keys of its own: an
SM2 key that signs its answers and a register of the applications it has enrolled (appId,
appSecret, the application's public key). Business rules come from its own tables
(server/insurance/sim_rules.py): who is insured, which drugs circulate and in which class, how a
settlement splits between the pooled fund, the personal account and cash.

It refuses what the real centre refuses: an unknown application, a bad signature, a timestamp
outside five minutes, a nonce used twice, data that does not decrypt, a patient not insured, a
drug not in the circulation catalogue, an unknown prescription, a revoke after the drugs were
dispensed (written off), steps out of order. A request with a `msgid` (the 2021 envelope's
发送方报文ID) that it has already carried out gets the first answer again and changes nothing
(`repeats` counts them); a refused one changed nothing and is judged again when repeated.
The same msgid with other content is refused (2008). Faults are first-class: POST /_sim/fault
{"mode": "down" | "slow" | "tamper" | "ok"} makes it answer 503, late, with a corrupted
envelope, or normally again; POST /_sim/persons sets a person's insurance.

In-process: `httpx.ASGITransport(app=create_simulator(state))`. As a process (the demo):
`python -m server.insurance.simulator --port 8790 --state-dir .rxp/insurance-sim`, which keeps
its key and its enrolled application in that folder and writes the application's credentials
to `<state-dir>/client.json` for the server (RXP_INSURANCE_CREDENTIALS).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from common import signing
from server.insurance import envelope, sim_rules
from server.insurance import transactions as tx
from server.insurance.envelope import AppCredentials, EnvelopeError, NonceBook
from server.insurance.sim_rules import Refusal, SimulatedCentre

SIM_NAME = "医保电子处方中心（模拟）"
FAULT_MODES = ("ok", "down", "slow", "tamper")


@dataclass
class EnrolledApp:
    app_id: str
    app_secret: str
    public_key: signing.PublicKey
    name: str


@dataclass(frozen=True)
class CarriedOut:
    """A numbered request the centre carried out, and its answer (given again to a repeat)."""

    api: str
    content: bytes  # canonical bytes of the request's data
    answer: bytes  # canonical bytes of the answer's data (a copy: later changes stay out)


@dataclass
class SimulatorState:
    platform_key_pem: str = field(default_factory=signing.generate_private_key, repr=False)
    apps: dict[str, EnrolledApp] = field(default_factory=dict)
    centre: SimulatedCentre = field(default_factory=SimulatedCentre)
    nonces: NonceBook = field(default_factory=NonceBook)
    now_ms: Callable[[], int] = envelope.now_ms
    mode: str = "ok"
    delay: float = 10.0
    requests: int = 0
    refusals: list[tuple[str, int, str]] = field(default_factory=list)
    # By "appId:msgid": what was carried out, so a repeat changes nothing.
    carried_out: dict[str, CarriedOut] = field(default_factory=dict)
    repeats: list[str] = field(default_factory=list)  # msgids answered from `carried_out`

    @property
    def platform_key(self) -> signing.PrivateKey:
        return signing.load_private_key(self.platform_key_pem)

    def enrol(self, name: str = "处方流转平台", *, app_id: str | None = None,
              app_secret: str | None = None,
              private_key_pem: str | None = None) -> AppCredentials:
        """Enrol an application; its credentials as the application keeps them."""
        private_pem = private_key_pem or signing.generate_private_key()
        credentials = AppCredentials(
            app_id=app_id or "RXP" + secrets.token_hex(6).upper(),
            app_secret=app_secret or secrets.token_hex(16),
            private_key_pem=private_pem,
            platform_public_key_pem=self.platform_key.public.pem)
        self.apps[credentials.app_id] = EnrolledApp(
            credentials.app_id, credentials.app_secret,
            signing.load_private_key(private_pem).public, name)
        return credentials


def _refusal(code: int, message: str, status: int = 200) -> JSONResponse:
    # Unsigned: nobody to sign for (an unknown application, a body that is no envelope).
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _answer(sim: SimulatorState, app: EnrolledApp, request_nonce: str, code: int,
            message: str, data: dict[str, Any]) -> JSONResponse:
    sealed = envelope.seal(data, app_id=app.app_id, app_secret=app.app_secret,
                           signer=sim.platform_key, now=sim.now_ms(),
                           extra_fields={"code": code, "message": message,
                                         "requestNonce": request_nonce})
    if sim.mode == "tamper":
        # A man in the middle changing one byte of the ciphertext.
        enc = sealed["encData"]
        sealed["encData"] = enc[:-2] + ("00" if enc[-2:] != "00" else "11")
    return JSONResponse(sealed)


def create_simulator(state: SimulatorState | None = None) -> Starlette:
    sim = state or SimulatorState()

    async def call(request: Request) -> Response:
        sim.requests += 1
        if sim.mode == "down":
            return _refusal(503, "服务暂不可用", status=503)
        if sim.mode == "slow":
            await asyncio.sleep(sim.delay)
        api = request.path_params["api"]
        try:
            body = json.loads(await request.body())
            fields = envelope.envelope_fields(body)
        except (ValueError, UnicodeDecodeError) as exc:
            message = exc.message if isinstance(exc, EnvelopeError) else "报文不是 JSON"
            return _refusal(envelope.MALFORMED, message, status=400)
        app = sim.apps.get(fields["appId"])
        if app is None:
            return _refusal(envelope.UNKNOWN_APP, "appId 未注册", status=401)
        now = sim.now_ms()
        try:
            opened = envelope.open_sealed(body, app_secret=app.app_secret,
                                          verifier=app.public_key, now=now)
            sim.nonces.check_and_add(f"{app.app_id}:{opened.nonce}", now)
        except EnvelopeError as exc:
            sim.refusals.append((api, exc.code, exc.message))
            return _answer(sim, app, fields["nonce"], exc.code, exc.message, {})
        handler = sim.centre.handlers().get(api)
        if handler is None:
            return _answer(sim, app, opened.nonce, envelope.MALFORMED, f"未知接口 {api}", {})
        msgid = opened.fields.get("msgid")
        key = f"{app.app_id}:{msgid}" if msgid else None
        content = signing.canonical_bytes(opened.data)
        try:
            infno = opened.fields.get("infno")
            if infno is not None and infno != tx.BY_API[api].code_2021:
                raise Refusal(envelope.MALFORMED, f"infno {infno} 与接口 {api} 不符")
            done = sim.carried_out.get(key) if key else None
            if done is not None:
                if (done.api, done.content) != (api, content):
                    raise Refusal(tx.MSGID_REUSED, f"报文ID {msgid} 已用于另一笔交易")
                sim.repeats.append(str(msgid))
                return _answer(sim, app, opened.nonce, 0, "成功", json.loads(done.answer))
            data = handler(opened.data)
        except Refusal as exc:
            sim.refusals.append((api, exc.code, exc.message))
            return _answer(sim, app, opened.nonce, exc.code, exc.message, {})
        if key:
            sim.carried_out[key] = CarriedOut(api, content, signing.canonical_bytes(data))
        return _answer(sim, app, opened.nonce, 0, "成功", data)

    async def health(request: Request) -> Response:
        return JSONResponse({"system": SIM_NAME, "mode": sim.mode, "requests": sim.requests,
                             "apps": sorted(sim.apps)})

    async def fault(request: Request) -> Response:
        body = await request.json()
        mode = body.get("mode", "ok") if isinstance(body, dict) else None
        if mode not in FAULT_MODES:
            return JSONResponse({"error": f"mode must be one of {FAULT_MODES}"}, 422)
        sim.mode = mode
        sim.delay = float(body.get("delay", sim.delay))
        return JSONResponse({"mode": sim.mode, "delay": sim.delay})

    async def persons(request: Request) -> Response:
        body = await request.json()
        try:
            person = sim.centre.set_person(
                str(body["certno"]), insured=bool(body.get("insured", True)),
                balance_fen=int(body.get("balanceFen", sim_rules.DEFAULT_BALANCE_FEN)))
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"error": f"certno / insured / balanceFen: {exc}"}, 422)
        return JSONResponse({"certno": person.certno, "insured": person.insured,
                             "balanceFen": person.balance_fen})

    app = Starlette(routes=[Route("/epc/{api}", call, methods=["POST"]),
                            Route("/health", health, methods=["GET"]),
                            Route("/_sim/fault", fault, methods=["POST"]),
                            Route("/_sim/persons", persons, methods=["POST"])])
    app.state.sim = sim
    return app


# -- as a process --------------------------------------------------------------------------

def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def load_state(state_dir: Path) -> tuple[SimulatorState, AppCredentials]:
    """The simulator's key and enrolled application, kept in `state_dir` across runs (made on
    the first); the application's credentials are also written to `client.json`."""
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_file, client_file = state_dir / "platform-key.pem", state_dir / "client.json"
    if not key_file.exists():
        _write_private(key_file, signing.generate_private_key())
    sim = SimulatorState(platform_key_pem=key_file.read_text())
    if client_file.exists():
        saved = AppCredentials.from_json(json.loads(client_file.read_text()))
        credentials = sim.enrol(app_id=saved.app_id, app_secret=saved.app_secret,
                                private_key_pem=saved.private_key_pem)
    else:
        credentials = sim.enrol()
    _write_private(client_file, json.dumps(credentials.as_json(), ensure_ascii=False, indent=2))
    return sim, credentials


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=f"{SIM_NAME}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--state-dir", type=Path, default=Path(".rxp/insurance-sim"))
    args = parser.parse_args(argv)
    sim, credentials = load_state(args.state_dir)
    print(f"{SIM_NAME}: http://{args.host}:{args.port}/epc/ appId={credentials.app_id} "
          f"credentials={args.state_dir / 'client.json'}", flush=True)
    uvicorn.run(create_simulator(sim), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
