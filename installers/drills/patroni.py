"""The production failover configuration (installers/deploy/patroni) run here: two Patroni
nodes on this host over a one-member etcd, as the `failover_patroni` drill and in the tests.

Each node is rendered from the same template as setup-patroni.sh renders on a database host
(`string.Template.substitute`: a value left out is an error), with loopback addresses, ports and
folders of its own instead of the Debian layout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import string
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from installers.drills import DrillResult, reports_dir, workdir
from installers.drills.charts import line_chart
from installers.pgcluster import _server_user, find_bindir, free_port, read_write_url_ports

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "patroni" / "patroni.yml.in"
POST_BOOTSTRAP = TEMPLATE.with_name("post-bootstrap.sh")


@dataclass
class Node:
    name: str
    # Patroni's validation refuses 127.0.0.1 as an address the other node connects to (a
    # production check); the rest of the loopback range serves on one host.
    address: str
    base: Path  # data/, run/ and patroni.yml
    pg_port: int
    api_port: int

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "run"

    @property
    def config(self) -> Path:
        return self.base / "patroni.yml"


def render(node: Node, *, etcd_hosts: str, tls_cert: Path, tls_key: Path, ttl: int = 30,
           loop_wait: int = 10, retry_timeout: int = 10) -> str:
    values = {
        "RXP_NODE_NAME": node.name, "RXP_NODE_ADDRESS": node.address,
        "RXP_API_PORT": str(node.api_port), "RXP_PG_PORT": str(node.pg_port),
        "RXP_ETCD_HOSTS": etcd_hosts, "RXP_TTL": str(ttl), "RXP_LOOP_WAIT": str(loop_wait),
        "RXP_RETRY_TIMEOUT": str(retry_timeout), "RXP_TLS_CERT": str(tls_cert),
        "RXP_TLS_KEY": str(tls_key), "RXP_POST_BOOTSTRAP": str(POST_BOOTSTRAP),
        "RXP_DATA_DIR": str(node.data_dir), "RXP_BIN_DIR": str(find_bindir()),
        "RXP_PGPASS": str(node.base / "pgpass"), "RXP_SOCKET_DIR": str(node.socket_dir),
        "RXP_APP_NETWORK": "127.0.0.0/8", "RXP_REPLICA_NETWORK": "127.0.0.0/8",
        "RXP_DB_NAME": "rxp"}
    return render_values(values, TEMPLATE.read_text())


def render_values(values: dict[str, str], template: str) -> str:
    """As setup-patroni.sh renders: every placeholder must have a value (KeyError otherwise)."""
    return string.Template(template).substitute(values)


# -- the live run --------------------------------------------------------------------------------

TTL, LOOP_WAIT, RETRY_TIMEOUT = 20, 2, 5  # production: 30, 10, 10; shorter for a drill
LOAD_BEFORE, LOAD_AFTER = 3.0, 2.0
WRITE_TARGET = 45.0  # ttl + loop_wait + the promotion, with room on a busy machine


class PatroniPair:
    """etcd and two Patroni nodes, each a process of ours; PostgreSQL as its unprivileged user."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.nodes = [Node(f"node{i}", f"127.0.0.{i + 1}", base / f"node{i}", free_port(),
                           free_port())
                      for i in (1, 2)]
        self.etcd_port, self.etcd_peer_port = free_port(), free_port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.passwords = {role: uuid.uuid4().hex for role in
                          ("superuser", "replication", "rewind", "owner", "app")}
        self.owner = _server_user()

    @property
    def etcd_hosts(self) -> str:
        return f"127.0.0.1:{self.etcd_port}"

    def prepare(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o711)
        cert, key = self.base / "server.crt", self.base / "server.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
        self._own(cert, key)
        key.chmod(0o600)
        for node in self.nodes:
            for folder in (node.base, node.data_dir, node.socket_dir):
                folder.mkdir(mode=0o700, exist_ok=True)
                self._own(folder)
            node.base.chmod(0o711)
            node.config.write_text(render(
                node, etcd_hosts=self.etcd_hosts, tls_cert=cert, tls_key=key, ttl=TTL,
                loop_wait=LOOP_WAIT, retry_timeout=RETRY_TIMEOUT))
            self._own(node.config)

    def _own(self, *paths: Path) -> None:
        if self.owner:
            for path in paths:
                os.chown(path, *self.owner)

    def _env(self) -> dict[str, str]:
        # Debian's patroni runs on the system Python: none of our virtual environment's settings.
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
                "PATRONI_SUPERUSER_PASSWORD": self.passwords["superuser"],
                "PATRONI_REPLICATION_PASSWORD": self.passwords["replication"],
                "PATRONI_REWIND_PASSWORD": self.passwords["rewind"],
                "RXP_OWNER_PASSWORD": self.passwords["owner"],
                "RXP_APP_PASSWORD": self.passwords["app"], "RXP_DB_NAME": "rxp"}

    def _spawn(self, name: str, cmd: list[str], *, as_server_user: bool) -> None:
        extra: dict[str, Any] = {}
        if as_server_user and self.owner:
            extra = {"user": self.owner[0], "group": self.owner[1], "extra_groups": []}
        with open(self.base / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                cmd, env=self._env(), stdout=log, stderr=subprocess.STDOUT, cwd=self.base,
                **extra)

    def validate(self, node: Node) -> subprocess.CompletedProcess[str]:
        extra: dict[str, Any] = {}
        if self.owner:
            extra = {"user": self.owner[0], "group": self.owner[1], "extra_groups": []}
        return subprocess.run(["patroni", "--validate-config", str(node.config)], env=self._env(),
                              capture_output=True, text=True, **extra)

    def start_etcd(self) -> None:
        peer = f"http://127.0.0.1:{self.etcd_peer_port}"
        client = f"http://127.0.0.1:{self.etcd_port}"
        self._spawn("etcd", ["etcd", "--name", "etcd1", "--data-dir", str(self.base / "etcd"),
                             "--listen-client-urls", client, "--advertise-client-urls", client,
                             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                             "--initial-cluster", f"etcd1={peer}"], as_server_user=False)
        self.wait(lambda: _get(f"{client}/health") == 200, 30, "etcd did not start")

    def start(self, node: Node) -> None:
        self._spawn(node.name, ["patroni", str(node.config)], as_server_user=True)

    def role(self, node: Node) -> str | None:
        """What node's Patroni says it is: 'primary', 'sync_standby', 'replica'... or None."""
        status = _get_json(f"http://{node.address}:{node.api_port}/patroni")
        if status is None or status.get("state") != "running":
            return None
        role = {"master": "primary"}.get(str(status["role"]), str(status["role"]))
        if role == "replica" and _get(f"http://{node.address}:{node.api_port}/sync") == 200:
            return "sync_standby"
        return role

    def kill(self, node: Node) -> None:
        """kill -9 of the node's Patroni and its postmaster: the host is gone."""
        process = self.processes.pop(node.name)
        pid_file = node.data_dir / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
        process.kill()
        process.wait()
        if postmaster:
            with contextlib.suppress(ProcessLookupError):
                os.kill(postmaster, signal.SIGKILL)

    def stop(self) -> None:
        for name in [n for n in self.processes if n != "etcd"] + ["etcd"]:
            process = self.processes.pop(name, None)
            if process is None:
                continue
            process.terminate()  # Patroni stops its PostgreSQL (fast) on SIGTERM
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for node in self.nodes:  # a PostgreSQL left behind by a killed Patroni
            pid_file = node.data_dir / "postmaster.pid"
            if pid_file.exists():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)

    @staticmethod
    def wait(condition: Callable[[], bool], within: float, what: str) -> float:
        start = time.monotonic()
        while not condition():
            if time.monotonic() - start > within:
                raise TimeoutError(f"{what} within {within:g} s")
            time.sleep(0.2)
        return time.monotonic() - start

    def app_url(self) -> str:
        """The server's DATABASE_URL: both nodes, the writable one chosen by libpq."""
        return read_write_url_ports([(n.address, n.pg_port) for n in self.nodes], "rxp_app",
                                    self.passwords["app"], "rxp")


def libpq_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _get(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return None


def _get_json(url: str) -> dict[str, Any] | None:
    try:
        return dict(httpx.get(url, timeout=2).json())
    except (httpx.HTTPError, ValueError):
        return None


class Writer:
    """Rows inserted one by one through the multi-host URL, retried until committed; what was
    acknowledged, and when."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.acked: list[int] = []
        self.ack_times: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            while not self.stop.is_set():
                try:
                    with psycopg.connect(self.dsn, connect_timeout=2, autocommit=True) as conn:
                        conn.execute("INSERT INTO failover_probe (n) VALUES (%s)", (n,))
                    self.acked.append(n)
                    self.ack_times.append(time.monotonic())
                    break
                except psycopg.Error:
                    time.sleep(0.2)  # no writable node yet: the same row again

    def next_ack_after(self, moment: float, within: float) -> float:
        deadline = time.monotonic() + within
        while not any(t > moment for t in self.ack_times):
            if time.monotonic() > deadline:
                return float("inf")
            time.sleep(0.05)
        return next(t for t in self.ack_times if t > moment) - moment


def _rows(pair: PatroniPair, node: Node) -> set[int]:
    """The probe rows on one node (primary or standby), read as the table's owner."""
    dsn = (f"host={node.address} port={node.pg_port} user=rxp_owner dbname=rxp "
           f"password={pair.passwords['owner']}")
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute("SELECT n FROM failover_probe").fetchall()}


def drill_failover_patroni() -> DrillResult:
    missing = [tool for tool in ("patroni", "etcd") if shutil.which(tool) is None]
    if missing:
        return DrillResult("failover_patroni", False, f"not installed: {', '.join(missing)}")
    base = workdir("failover_patroni")
    pair = PatroniPair(base)
    node1, node2 = pair.nodes
    try:
        pair.prepare()
        pair.start_etcd()
        invalid = [f"{n.name}: {(r.stdout + r.stderr).strip()}" for n in pair.nodes
                   if (r := pair.validate(n)).returncode != 0]
        if invalid:
            return DrillResult("failover_patroni", False, "invalid configuration", None, invalid)
        pair.start(node1)
        pair.wait(lambda: pair.role(node1) == "primary", 120, "no leader")
        pair.start(node2)
        pair.wait(lambda: pair.role(node2) == "sync_standby", 120, "no synchronous standby")
        owner_dsn = libpq_dsn(read_write_url_ports(
            [(n.address, n.pg_port) for n in pair.nodes], "rxp_owner", pair.passwords["owner"],
            "rxp"))
        with psycopg.connect(owner_dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE failover_probe (n integer PRIMARY KEY)")
        writer = Writer(owner_dsn)
        writer.thread.start()
        time.sleep(LOAD_BEFORE)
        killed = time.monotonic()
        pair.kill(node1)
        promoted = pair.wait(lambda: pair.role(node2) == "primary", 120, "no promotion")
        resumed = writer.next_ack_after(killed + 0.5, 60)
        pair.start(node1)  # the host is back: its Patroni rewinds it and follows the new leader
        rejoined = pair.wait(lambda: pair.role(node1) == "sync_standby", 120, "no rejoin")
        time.sleep(LOAD_AFTER)
        writer.stop.set()
        writer.thread.join(30)
        acked = set(writer.acked)
        on_leader = _rows(pair, node2)
        pair.wait(lambda: acked <= _rows(pair, node1), 30, "the standby lacks acknowledged rows")
        lost = len(acked - on_leader)
        # Patroni's own log lines (patroni/postgresql/rewind.py) when it rewound the old leader.
        log = (base / "node1.log").read_text(errors="replace")
        rewound = "running pg_rewind from" in log and "pg_rewind exit code=0" in log
        passed = resumed <= WRITE_TARGET and lost == 0 and rewound
        figures = (f"Patroni {_version()} with etcd: leader killed (kill -9 of Patroni and "
                   f"PostgreSQL); Patroni reported the standby as leader after {promoted:.1f} s "
                   f"(ttl {TTL} s), writes resumed in {resumed:.1f} s (target <= "
                   f"{WRITE_TARGET:g}); {len(acked)} acknowledged writes, {lost} lost; old leader "
                   f"{'rewound (pg_rewind) and ' if rewound else ''}back as synchronous standby "
                   f"in {rejoined:.1f} s")
        report = _report(writer, killed, promoted, resumed, figures, passed)
        return DrillResult("failover_patroni", passed, figures, report)
    finally:
        pair.stop()
        shutil.rmtree(base, ignore_errors=True)


def _report(writer: Writer, killed: float, promoted: float, resumed: float, figures: str,
            passed: bool) -> Path:
    out = reports_dir()
    start = writer.ack_times[0] if writer.ack_times else killed
    seconds = int(max(writer.ack_times, default=start) - start) + 1
    per_second = [0] * seconds
    for t in writer.ack_times:
        per_second[int(t - start)] += 1
    chart = line_chart(out / "drill-failover_patroni-writes.png",
                       "acknowledged inserts per second (one writer); red: kill, promotion",
                       [s + 0.5 for s in range(seconds)], per_second, x_label="seconds",
                       y_label="writes/s",
                       markers=[(killed - start, "kill -9 leader"),
                                (killed - start + promoted, "node2 leader")])
    lines = [f"# Drill failover_patroni: {'PASS' if passed else 'FAIL'}", "", figures, "",
             f"![writes per second]({chart.name})", "",
             f"Configuration: `installers/deploy/patroni/patroni.yml.in` rendered for two nodes on "
             f"this host (ttl {TTL} s, loop_wait {LOOP_WAIT} s, retry_timeout {RETRY_TIMEOUT} s "
             f"instead of 30/10/10), one etcd member. Writes stop when the leader dies and "
             f"resume once the leader lock has expired and node2 is promoted: "
             f"{resumed:.1f} s here, about ttl + loop_wait in production.", ""]
    path = out / "drill-failover_patroni.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _version() -> str:
    out = subprocess.run(["patroni", "--version"], capture_output=True, text=True).stdout
    return out.split()[-1] if out.strip() else "?"
