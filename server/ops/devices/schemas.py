"""Bodies of the device status API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Device = Literal["card_reader", "scanner", "printer", "camera"]


class DeviceReport(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    device: Device = Field(description="设备：读卡器、扫码器、打印机、摄像头")
    state: Literal["ok", "fault"]
    fault: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]{0,39}$",
                              description="故障代码，如 paper_out、cover_open、disconnected")
    detail: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _fault_named(self) -> DeviceReport:
        if self.state == "fault" and not self.fault:
            raise ValueError("设备故障时须填写故障代码 fault")
        return self


class DeviceReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    devices: list[DeviceReport] = Field(min_length=1, max_length=10)


class DeviceStatusOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    client_id: uuid.UUID
    client_name: str
    org_id: uuid.UUID
    device: str
    state: str
    fault: str | None
    detail: str | None
    since: datetime
    reported_at: datetime
