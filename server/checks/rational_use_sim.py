"""A simulator of the hospital's rational-drug-use system (合理用药), shipped with the product.

It answers the wire format of server/checks/rational_use.py from a small table of its own
(a few well-known pairs and contraindications, matched by generic name), so the adapter, the
submit flow and the apps can be exercised without the vendor's system. Faults are first-class:
POST /_sim/fault {"mode": ...} makes it answer 503 (`down`), 500 (`error`), late (`slow`,
`delay` seconds), unreadable text (`garbage`), only the first line (`partial`), or normally
again (`ok`).

In-process: `httpx.ASGITransport(app=create_simulator())`. As a process:
`python -m server.checks.rational_use_sim --port 8765`.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from server.checks.levels import Level, worst

SIM_NAME = "合理用药系统（模拟）"
FAULT_MODES = ("ok", "down", "error", "slow", "garbage", "partial")


@dataclass(frozen=True)
class SimPair:
    a: str
    b: str
    level: Level
    message: str


@dataclass(frozen=True)
class SimCondition:
    drug: str
    condition: str  # pregnancy | lactation
    level: Level
    message: str


DEFAULT_PAIRS = (
    SimPair("华法林", "阿司匹林", Level.RED, "华法林与阿司匹林合用，出血风险显著增加"),
    SimPair("辛伐他汀", "克拉霉素", Level.BLACK, "辛伐他汀与克拉霉素禁止合用（横纹肌溶解）"),
    SimPair("氯吡格雷", "奥美拉唑", Level.YELLOW, "奥美拉唑减弱氯吡格雷的抗血小板作用"),
    SimPair("甲氨蝶呤", "磺胺甲噁唑", Level.RED, "甲氨蝶呤与复方磺胺甲噁唑合用致严重骨髓抑制"),
)
DEFAULT_CONDITIONS = (
    SimCondition("华法林", "pregnancy", Level.BLACK, "妊娠期禁用华法林"),
    SimCondition("沙星", "pregnancy", Level.BLACK, "孕妇禁用喹诺酮类"),
)


@dataclass
class SimulatorState:
    mode: str = "ok"
    delay: float = 10.0
    requests: int = 0
    pairs: tuple[SimPair, ...] = DEFAULT_PAIRS
    conditions: tuple[SimCondition, ...] = DEFAULT_CONDITIONS
    seen: list[dict[str, Any]] = field(default_factory=list)


def answer(state: SimulatorState, body: dict[str, Any]) -> dict[str, Any]:
    """Levels per line: the worst pair or condition each line is part of, else blue."""
    lines = body.get("lines") or []
    patient = body.get("patient") or {}
    current = [str(m.get("generic_name", "")) for m in patient.get("current_medications") or []]
    names = [str(line.get("generic_name", "")) for line in lines]
    out = []
    for position, line in enumerate(lines):
        name = names[position]
        others = [n for i, n in enumerate(names) if i != position] + current
        found: list[tuple[Level, str]] = []
        for pair in state.pairs:
            for mine, theirs in ((pair.a, pair.b), (pair.b, pair.a)):
                if mine in name and any(theirs in other for other in others):
                    found.append((pair.level, pair.message))
        for rule in state.conditions:
            if rule.drug in name and patient.get(
                    "pregnant" if rule.condition == "pregnancy" else "lactating"):
                found.append((rule.level, rule.message))
        out.append({"index": line.get("index", position),
                     "level": int(worst(level for level, _ in found)),
                     "messages": [message for _, message in found]})
    return {"system": SIM_NAME, "lines": out}


def create_simulator(state: SimulatorState | None = None) -> Starlette:
    sim = state or SimulatorState()

    async def check(request: Request) -> Response:
        sim.requests += 1
        if sim.mode == "down":
            return JSONResponse({"error": "service unavailable"}, status_code=503)
        if sim.mode == "error":
            return JSONResponse({"error": "internal error"}, status_code=500)
        if sim.mode == "slow":
            await asyncio.sleep(sim.delay)
        if sim.mode == "garbage":
            return PlainTextResponse("<html>系统维护中</html>")
        body = await request.json()
        sim.seen.append(body)
        result = answer(sim, body)
        if sim.mode == "partial":
            result["lines"] = result["lines"][:1]
        return JSONResponse(result)

    async def health(request: Request) -> Response:
        return JSONResponse({"system": SIM_NAME, "mode": sim.mode, "requests": sim.requests})

    async def fault(request: Request) -> Response:
        body = await request.json()
        mode = body.get("mode", "ok")
        if mode not in FAULT_MODES:
            return JSONResponse({"error": f"mode must be one of {FAULT_MODES}"}, 422)
        sim.mode = mode
        sim.delay = float(body.get("delay", sim.delay))
        return JSONResponse({"mode": sim.mode, "delay": sim.delay})

    app = Starlette(routes=[Route("/check", check, methods=["POST"]),
                            Route("/health", health, methods=["GET"]),
                            Route("/_sim/fault", fault, methods=["POST"])])
    app.state.sim = sim
    return app


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="合理用药系统模拟器")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    uvicorn.run(create_simulator(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
