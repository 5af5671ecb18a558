"""Server settings: command-line options > ``PYGOTCHI_*`` environment variables > defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_threads() -> int:
    return max(2, min(8, os.cpu_count() or 2))


class Settings(BaseSettings):
    """Everything an operator may tune. Each field is also ``PYGOTCHI_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PYGOTCHI_", extra="ignore")

    host: str = Field("127.0.0.1", description="address to listen on; 0.0.0.0 for the whole LAN")
    port: int = Field(8000, ge=1, le=65535)
    data_dir: Path = Field(Path("pygotchi-data"), description="database, ROMs and secret key")
    database_url: str | None = Field(None, description="default: SQLite in the data directory")

    checkpoint_interval: float = Field(
        5.0, gt=0, le=10, description="seconds between checkpoints of every running pet")
    tick_interval_ms: float = Field(
        20, ge=2, le=500, description="scheduler cadence: watched pets advance this often")
    idle_interval_ms: float = Field(
        500, ge=10, le=5000, description="pets nobody watches advance at least this often")
    catch_up_threshold: float = Field(
        5.0, gt=0, description="a pet this many seconds behind is 'catching up'")
    catch_up_chunk: float = Field(
        30.0, gt=0, description="emulated seconds per catch-up step (others run in between)")
    worker_threads: int = Field(
        default_factory=_default_threads, ge=1, le=64, description="emulation threads")
    catch_up_threads: int = Field(1, ge=1, le=16, description="threads for long catch-ups")

    max_upload_bytes: int = Field(
        1 << 20, ge=1024, description="largest accepted upload (ROM or state file)")
    max_pets_per_user: int = Field(50, ge=0, description="0 = no limit")
    secure_cookies: Literal["auto", "always", "never"] = Field(
        "auto", description="auto: Secure when the request came over HTTPS (or a proxy says so)")
    session_days: float = Field(30, gt=0)
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="proxies trusted for X-Forwarded-For/-Proto")
    signin_failures_per_user: int = Field(5, ge=1)
    signin_failures_per_address: int = Field(20, ge=1)
    signin_window: float = Field(900, gt=0, description="seconds failed sign-ins are counted")
    secret_key: str | None = Field(None, description="default: generated in the data directory")

    ir_port: str | None = Field(
        None, description="the IR transceiver's serial port if it is not found by itself "
                          "(e.g. /dev/ttyACM0); the IR lab offers it besides the detected ones")
    ir_fake: bool = Field(
        False, description="offer a built-in fake IR transceiver with simulated toys "
                           "(demos and tests; no hardware needed)")
    ir_session_seconds: float = Field(
        600, gt=0, le=3600, description="longest an IR lab session may hold the transceiver")
    max_ir_items_per_user: int = Field(1000, ge=0, description="saved IR items; 0 = no limit")

    log_format: Literal["text", "json"] = "text"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return Path(os.path.expanduser(str(value)))

    @property
    def rom_dir(self) -> Path:
        return self.data_dir / "roms"
