"""The embedded PostgreSQL cluster: a real server from the machine's binaries, in a folder of ours.

Used by `rxp demo`, `rxp db ...` and the test suite. PostgreSQL refuses to run as root, so when we
are root every server-side command runs as an unprivileged system user (`postgres` where it exists,
otherwise one we create). The socket directory is private to that user (and root), so local socket
connections are trusted; TCP on 127.0.0.1 asks for a password (SCRAM).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPERUSER = "postgres"


def find_bindir() -> Path:
    """The newest installed PostgreSQL server binaries."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL server binaries not found (install the postgresql package)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_user() -> tuple[int, int] | None:
    """(uid, gid) to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "rxp-postgres"):
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "rxp-postgres"],
        check=True,
    )
    entry = pwd.getpwnam("rxp-postgres")
    return entry.pw_uid, entry.pw_gid


@dataclass
class PgCluster:
    """One PostgreSQL cluster: data folder, socket folder, log file and TCP port."""

    base: Path  # holds data/, run/ and server.log
    port: int
    bindir: Path = field(default_factory=find_bindir)

    def __post_init__(self) -> None:
        self.base = Path(self.base).resolve()
        self._owner = _server_user()

    # -- paths -------------------------------------------------------------------------------
    @property
    def datadir(self) -> Path:
        return self.base / "data"

    @property
    def sockdir(self) -> Path:
        return self.base / "run"

    @property
    def logfile(self) -> Path:
        return self.base / "server.log"

    # -- running commands as the server user -------------------------------------------------
    def _run(self, *args: str, check: bool = True, **kw: Any) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        extra: dict[str, Any] = {}
        if self._owner:
            extra = {"user": self._owner[0], "group": self._owner[1], "extra_groups": []}
        result = subprocess.run(cmd, capture_output=True, text=True, **extra, **kw)
        if check and result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def _chown(self, *paths: Path) -> None:
        if self._owner:
            for p in paths:
                os.chown(p, *self._owner)

    def _prepare_base(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        # The server user must be able to reach its folder; parents stay as they are.
        if self._owner:
            self.base.chmod(0o711)
        for d in (self.sockdir,):
            d.mkdir(exist_ok=True)
            d.chmod(0o700)
        self._chown(self.base, self.sockdir)
        if not self.logfile.exists():
            self.logfile.touch()
        self._chown(self.logfile)

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        return (self.datadir / "PG_VERSION").exists()

    def init(self, *, fast: bool = False, settings: Sequence[str] = ()) -> None:
        """initdb with our settings. `fast` trades durability for speed (tests only);
        `settings` are more postgresql.conf lines (the failover drill's synchronous primary)."""
        self._prepare_base()
        if self.initialised:
            return
        self.datadir.mkdir(mode=0o700, exist_ok=True)
        self._chown(self.datadir)
        self._run("initdb", "-D", str(self.datadir), "-U", SUPERUSER, "-E", "UTF8",
                  "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256")
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.sockdir}'",
            "wal_level = replica",
            "max_wal_senders = 10",
            "hot_standby = on",
            "max_connections = 200",
            "log_line_prefix = '%m [%p] %q%u@%d '",
        ]
        if fast:
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        lines += settings
        with open(self.datadir / "postgresql.conf", "a") as f:
            f.write("\n# rxp embedded cluster\n" + "\n".join(lines) + "\n")
        with open(self.datadir / "pg_hba.conf", "a") as f:
            f.write("host replication all 127.0.0.1/32 scram-sha-256\n")

    def is_running(self) -> bool:
        if not self.initialised:
            return False
        return self._run("pg_ctl", "status", "-D", str(self.datadir), check=False).returncode == 0

    def start(self, timeout: float = 30) -> None:
        self._prepare_base()
        if self.is_running():
            return
        result = self._run("pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.logfile),
                           "-w", "-t", str(int(timeout)), "-o", f"-p {self.port} -k {self.sockdir}",
                           check=False)
        if result.returncode != 0:
            tail = self.logfile.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{tail}")

    def stop(self, mode: str = "fast") -> None:
        if self.is_running():
            self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", mode, "-w", check=False)

    def kill9(self) -> int | None:
        """Crash the postmaster (drills); its pid."""
        pid_file = self.datadir / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, 9)
            return pid
        return None

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    # -- SQL as the superuser through the private socket --------------------------------------
    def psql(self, sql: str, db: str = "postgres") -> str:
        result = self._run("psql", "-h", str(self.sockdir), "-p", str(self.port), "-U", SUPERUSER,
                           "-d", db, "-v", "ON_ERROR_STOP=1", "-qAtX", "-c", sql, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def dump(self, db: str) -> str:
        """A plain-SQL `pg_dump` of ``db``, as the superuser through the private socket."""
        return self._run("pg_dump", "-h", str(self.sockdir), "-p", str(self.port), "-U",
                         SUPERUSER, "--no-password", db).stdout

    def superuser_url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{db}?host={self.sockdir}&port={self.port}"

    def tcp_url(self, user: str, password: str, db: str) -> str:
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{self.port}/{db}"

    # -- replicas ----------------------------------------------------------------------------
    def make_replica(self, base: Path, port: int, *, slot: str | None = None,
                     settings: Sequence[str] = ()) -> PgCluster:
        """A streaming replica of this (running) cluster, started (pg_basebackup -R). With
        `slot`, a physical replication slot of that name is created on this cluster and used:
        the primary keeps the WAL the replica has not received yet."""
        replica = PgCluster(base, port, self.bindir)
        if replica.is_running():
            return replica
        shutil.rmtree(replica.base, ignore_errors=True)
        replica._prepare_base()
        replica.datadir.mkdir(mode=0o700)
        replica._chown(replica.datadir)
        self._run("pg_basebackup", "-h", str(self.sockdir), "-p", str(self.port), "-U", SUPERUSER,
                  "-D", str(replica.datadir), "-R", "-X", "stream", "-c", "fast",
                  *(["-C", "-S", slot] if slot else []))
        replica._own_settings("replica", settings)
        replica.start()
        return replica

    def _own_settings(self, why: str, settings: Sequence[str]) -> None:
        """This cluster's port and socket after its configuration came from another cluster
        (a base backup, pg_rewind), and any more lines: the last setting in the file wins."""
        with open(self.datadir / "postgresql.conf", "a") as f:
            f.write(f"\n# {why}\nport = {self.port}\nunix_socket_directories = '{self.sockdir}'\n"
                    + "".join(f"{line}\n" for line in settings))

    # -- failover ----------------------------------------------------------------------------
    def in_recovery(self) -> bool:
        return self.psql("SELECT pg_is_in_recovery()") == "t"

    def promote(self, timeout: float = 30) -> None:
        """End recovery: this standby becomes a primary (waits until it accepts writes)."""
        self._run("pg_ctl", "promote", "-D", str(self.datadir), "-w", "-t", str(int(timeout)))

    def rejoin_as_standby(self, primary: PgCluster, *, slot: str,
                          settings: Sequence[str] = ()) -> None:
        """Make this former primary (stopped, crashed or not) a standby of `primary`, started.

        pg_rewind rewinds the data folder to where the timelines forked, undoing what this one
        wrote that the new primary never received (commits no client saw acknowledged, under
        synchronous replication), then copies what changed since. It needs wal_log_hints=on or
        data checksums, set before the fork. A crashed folder is first recovered in single-user
        mode by pg_rewind itself. pg_rewind also copies the configuration files: the port,
        socket folder and `settings` are written again. The slot is created on `primary`."""
        primary.psql(f"SELECT pg_create_physical_replication_slot('{slot}') WHERE NOT EXISTS "
                     f"(SELECT 1 FROM pg_replication_slots WHERE slot_name = '{slot}')")
        # pg_rewind reads the source's timeline from its control file, which a promoted standby
        # updates only at its first checkpoint (PostgreSQL < 16): without this one, it may find
        # both on the same timeline and rewind nothing.
        primary.psql("CHECKPOINT")
        source = f"host={primary.sockdir} port={primary.port} user={SUPERUSER} dbname=postgres"
        self._run("pg_rewind", "-D", str(self.datadir), "--source-server", source,
                  "--write-recovery-conf")
        self._own_settings("standby after pg_rewind", [*settings, f"primary_slot_name = '{slot}'"])
        # postgresql.auto.conf, read after postgresql.conf, came from the source too: its
        # primary_slot_name would win over ours, its primary_conninfo is the source's own
        # (pg_rewind -R appended the one to the source after it).
        auto = self.datadir / "postgresql.auto.conf"
        lines = auto.read_text().splitlines()
        conninfo = [line for line in lines if line.startswith("primary_conninfo")][-1:]
        kept = [line for line in lines if not line.startswith(("primary_slot_name",
                                                                 "primary_conninfo"))]
        auto.write_text("\n".join([*kept, *conninfo]) + "\n")
        self.start()

    def streams_from(self) -> tuple[str, int] | None:
        """(status, sender port) of this standby's WAL receiver; None when it has none."""
        row = self.psql("SELECT status, sender_port FROM pg_stat_wal_receiver")
        if not row:
            return None
        status, port = row.split("|")
        return status, int(port)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ok = self._run("pg_isready", "-h", str(self.sockdir), "-p", str(self.port), check=False)
            if ok.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("PostgreSQL not ready")



def read_write_url(clusters: Sequence[PgCluster], user: str, password: str, db: str) -> str:
    """One URL for a primary and its standbys: libpq tries the hosts in turn and keeps the one
    that accepts writes (`target_session_attrs=read-write`), so after a failover new connections
    reach the promoted standby without a change of settings."""
    return read_write_url_ports([("127.0.0.1", c.port) for c in clusters], user, password, db)


def read_write_url_ports(servers: Sequence[tuple[str, int]], user: str, password: str,
                         db: str) -> str:
    """`read_write_url` for (address, port) pairs."""
    hosts = ",".join(host for host, _ in servers)
    ports = ",".join(str(port) for _, port in servers)
    return (f"postgresql+psycopg://{user}:{password}@/{db}?host={hosts}&port={ports}"
            "&target_session_attrs=read-write")
