"""The embedded development / demo environment under `.rxp/`: its cluster, keys and credentials.

The database passwords are generated on first use and kept in `.rxp/local.json` (mode 0600);
the keys in `.rxp/keys`; audit checkpoints in `.rxp/audit-checkpoints`. Nothing here is used in
production, where `rxp serve` reads its settings from the environment or a TOML file.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from installers import database
from installers.pgcluster import PgCluster, free_port

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "rxp"


def state_dir() -> Path:
    """`.rxp/` of the checkout; RXP_STATE_DIR moves it (tests run a whole demo in a temp folder)."""
    return Path(os.environ.get("RXP_STATE_DIR") or ROOT / ".rxp").resolve()


@dataclass
class LocalEnvironment:
    port: int
    owner_password: str
    app_password: str
    server_port: int
    state: Path = field(default_factory=state_dir, compare=False)

    @classmethod
    def load(cls) -> LocalEnvironment:
        state = state_dir()
        path = state / "local.json"
        if path.exists():
            return cls(**json.loads(path.read_text()), state=state)
        state.mkdir(parents=True, exist_ok=True)
        env = cls(port=free_port(), owner_password=secrets.token_urlsafe(18),
                  app_password=secrets.token_urlsafe(18), server_port=8741, state=state)
        saved = {k: v for k, v in env.__dict__.items() if k != "state"}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(saved, f, indent=2)
        return env

    @property
    def cluster(self) -> PgCluster:
        # `.rxp/pgdata` holds the primary's data folder (data/), socket folder and log.
        return PgCluster(self.state / "pgdata", self.port)

    def replica(self, index: int = 0) -> PgCluster:
        return PgCluster(self.state / f"pgreplica{index}", self.port + 1 + index)

    @property
    def key_dir(self) -> Path:
        return self.state / "keys"

    @property
    def checkpoint_dir(self) -> Path:
        return self.state / "audit-checkpoints"

    @property
    def urls(self) -> database.DatabaseUrls:
        return database.urls(self.cluster, DB_NAME, self.owner_password, self.app_password)

    def replica_url(self, index: int = 0) -> str:
        return self.replica(index).tcp_url(database.APP_ROLE, self.app_password, DB_NAME)

    def start_database(self) -> None:
        """Initialise (first time), start, and provision the roles and the database."""
        self.state.mkdir(parents=True, exist_ok=True)
        self.state.chmod(0o711)  # the unprivileged server user must reach .rxp/pgdata
        cluster = self.cluster
        cluster.init()
        cluster.start()
        database.ensure_roles(cluster, self.owner_password, self.app_password)
        database.ensure_database(cluster, DB_NAME)

    def server_env(self, *, replicas: bool = False) -> dict[str, str]:
        env = {
            "RXP_ENV": "demo",
            "DATABASE_URL": self.urls.app,
            "DATABASE_MIGRATION_URL": self.urls.owner,
            "RXP_KEY_DIR": str(self.key_dir),
            "RXP_AUDIT_CHECKPOINT_DIR": str(self.checkpoint_dir),
            "RXP_AUDIT_CHECKPOINT_EVERY": "50",
        }
        if replicas and self.replica().is_running():
            env["DATABASE_REPLICA_URLS"] = self.replica_url()
        return env
