"""HTTP routes of patients."""

from __future__ import annotations

from fastapi import APIRouter

from server.core.errors import ERROR_RESPONSES

router = APIRouter(prefix="/patients", tags=["患者 patients"], responses=ERROR_RESPONSES)
