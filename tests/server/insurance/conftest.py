"""The server with the insurance centre's simulator connected (RXP_INSURANCE_URL=sim://)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI

from installers.database import DatabaseUrls
from server.insurance.simulator import SimulatorState
from server.settings import Settings
from tests.server.circulation.conftest import prefixes
from tests.server.clinic import clinic

__all__ = ["clinic", "prefixes"]


@pytest.fixture
def settings(db: DatabaseUrls, key_dir: Path, checkpoint_dir: Path) -> Settings:
    return Settings(RXP_ENV="test", DATABASE_URL=db.app, RXP_KEY_DIR=key_dir,
                    RXP_AUDIT_CHECKPOINT_DIR=checkpoint_dir, RXP_DB_POOL_SIZE=5,
                    RXP_INSURANCE_URL="sim://")


@pytest.fixture
def centre(app: FastAPI) -> SimulatorState:
    sim: SimulatorState = app.state.services.insurance.simulator
    return sim
