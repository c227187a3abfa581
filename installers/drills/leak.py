"""The `leak` drill: is any patient's ID number, phone or name stored or shown in clear?

The real server over a seeded cluster of the drill's own. 10,000 patients are registered
through the API, with fictional but valid ID numbers (GB 11643 check character), mobile phone
numbers and three-character names. Then every place they could leak is scanned for any of them:

- a plain `pg_dump` of the database and every file of the data folder (heap, indexes, WAL):
  identifying fields are encrypted at rest, searched by keyed hash;
- the API's answers to roles without the full view (a doctor's patient list and search, a
  patient's record, a pharmacist's queue): masked on the server;
- the server's and PostgreSQL's logs;
- a data handover package (`rxp export`: CSV, NDJSON, DDL, dictionary, manifest), which keeps
  the encrypted columns encrypted.

PASS when none is found anywhere. The scan extracts every candidate from the bytes (18-character
ID numbers, 11-digit mobiles, runs of Chinese characters) and looks them up in the sets, so
30,000 values cost one pass over each file.
"""

from __future__ import annotations

import asyncio
import random
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx

from installers.bench import BenchEnvironment, gather_limited, login
from installers.drills import DrillResult, reports_dir, workdir
from installers.handover import export_database, load_signing_key

PATIENTS = 10_000
CONCURRENCY = 8
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "嘉懿煜城懿轩烨伟苑博伟泽熠彤鸿煊博涛烨霖烨华煜祺智宸正豪昊然明杰诚立轩立辉峻熙弘文"
_ID = re.compile(rb"\d{17}[\dXx]")
_PHONE = re.compile(rb"1[3-9]\d{9}")
_CJK_RUN = re.compile("[\u4e00-\u9fff]{3,}")


@dataclass
class Secrets:
    id_numbers: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def found_in(self, data: bytes, *, names: bool = True) -> list[str]:
        hits = [m.decode() for m in _ID.findall(data) if m.decode().upper() in self.id_numbers]
        hits += [m.decode() for m in _PHONE.findall(data) if m.decode() in self.phones]
        if not names:
            return hits
        text = data.decode("utf-8", errors="ignore")
        for run in _CJK_RUN.findall(text):
            hits += [run[i:i + 3] for i in range(len(run) - 2) if run[i:i + 3] in self.names]
        return hits


def _people(rng: random.Random, count: int) -> list[dict[str, str]]:
    from server.personal_data.id_number import make_id_number

    people: list[dict[str, str]] = []
    names: set[str] = set()
    while len(people) < count:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        if name in names:
            continue
        names.add(name)
        n = len(people)
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 80))
        region = rng.choice(("330106", "330102", "110105", "310115", "440305"))
        people.append({"name": name, "id_number": make_id_number(region, birth, n % 1000),
                       "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"})
    return people


# A doctor sees the patient's name in clear (server/patients/masking_policy.py: they must know
# who is in front of them); ID number, phone and the rest masked. Every other role sees all
# masked.
NAME_IN_CLEAR = frozenset({"doctor_wang"})


async def _register(env: BenchEnvironment, base_url: str, people: list[dict[str, str]]
                    ) -> list[tuple[str, str]]:
    """Register everyone through the API; the answers to scan, each with whose view it is."""
    seen: list[tuple[str, str]] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        doctor = await login(http, env.account("doctor_wang"))
        others = {name: await login(http, env.account(name))
                  for name in ("pharm_chen", "admin_h1", "auditor", "store_kangning")}
        queue = iter(people)
        ids: list[str] = []

        async def one() -> None:
            person = next(queue)
            response = await http.post("/patients", json=person, headers=doctor)
            if response.status_code == 409:  # an ID number already drawn (same region/day)
                return
            response.raise_for_status()
            seen.append(("doctor_wang", response.text))
            ids.append(response.json()["id"])

        await gather_limited(len(people), CONCURRENCY, one)
        for who, headers in {"doctor_wang": doctor, **others}.items():
            for person in people[:30]:  # searched by what the front desk types: full values
                for key in ("id_number", "phone", "name"):
                    seen.append((who, (await http.get("/patients", params={key: person[key]},
                                                      headers=headers)).text))
        for patient_id in ids[:100]:
            for who, headers in others.items():
                seen.append((who, (await http.get(f"/patients/{patient_id}",
                                                  headers=headers)).text))
        seen.append(("pharm_chen", (await http.get("/review/queue",
                                                    headers=others["pharm_chen"])).text))
    return seen


def _files(folder: Path) -> Iterable[Path]:
    return (p for p in folder.rglob("*") if p.is_file())


def drill_leak() -> DrillResult:
    from server.core.keys import HANDOVER_KEY

    base = workdir("leak")
    env = BenchEnvironment(base)
    rng = random.Random()
    people = _people(rng, PATIENTS)
    secrets = Secrets({p["id_number"] for p in people}, {p["phone"] for p in people},
                      {p["name"] for p in people})
    try:
        env.start()
        base_url = env.serve(access_log=True)  # as `rxp serve` runs in production
        answers = asyncio.run(_register(env, base_url, people))
        registered = int(env.sql("SELECT count(*) FROM patient")[0][0])
        env.cluster.psql("CHECKPOINT")  # what was written is in the data files, not only WAL
        found: dict[str, list[str]] = {}

        def scan(where: str, data: bytes, *, names: bool = True) -> None:
            hits = secrets.found_in(data, names=names)
            if hits:
                found.setdefault(where, []).extend(hits[:5])

        scan("pg_dump", env.cluster.dump("rxp").encode())
        export = export_database(env.urls.superuser, env.base / "export",
                                 load_signing_key(env.base / "keys" / HANDOVER_KEY))
        for path in _files(export.folder):
            scan(f"handover export: {path.relative_to(export.folder)}", path.read_bytes())
        scanned_bytes = 0
        for path in _files(env.cluster.datadir):
            data = path.read_bytes()
            scanned_bytes += len(data)
            scan(f"data folder: {path.relative_to(env.cluster.datadir)}", data)
        for i, (who, body) in enumerate(answers):
            scan(f"API answer {i} to {who}", body.encode(), names=who not in NAME_IN_CLEAR)
        for log in (env.base / "server.log", env.cluster.logfile):
            scan(f"log: {log.name}", log.read_bytes())
        passed = not found and registered >= PATIENTS * 0.99
        demo = len(env.demo["patients"])
        figures = (f"{registered - demo} patients registered (+{demo} demo); scanned pg_dump, "
                   f"the handover export ({export.bytes / 1e6:.0f} MB), "
                   f"{scanned_bytes / 1e6:.0f} MB of data files, {len(answers)} API answers and "
                   f"2 logs for {len(secrets.id_numbers)} ID numbers, {len(secrets.phones)} "
                   f"phones, {len(secrets.names)} names: {sum(map(len, found.values()))} found "
                   f"in clear in {len(found)} places")
        details = [f"{where}: {', '.join(hits)}" for where, hits in list(found.items())[:15]]
        report = reports_dir() / "drill-leak.md"
        report.write_text("\n".join([f"# Drill leak: {'PASS' if passed else 'FAIL'}", "",
                                     figures, "", *details, ""]), encoding="utf-8")
        return DrillResult("leak", passed, figures, report, details)
    finally:
        env.stop()
        shutil.rmtree(base, ignore_errors=True)
