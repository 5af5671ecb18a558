"""Server settings: command-line options > ``PYGOTCHI_*`` environment variables > defaults."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_threads() -> int:
    return max(2, min(8, os.cpu_count() or 2))


class Settings(BaseSettings):
    """Everything an operator may tune. Each field is also ``PYGOTCHI_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PYGOTCHI_", extra="ignore")

    host: str = Field("127.0.0.1", description="address to listen on; 0.0.0.0 for the whole LAN")
    port: int = Field(8000, ge=1, le=65535)
    data_dir: Path = Field(Path("pygotchi-data"), description="database, ROMs and secret key")
    database_url: str | None = Field(
        None, description="default: SQLite in the data directory, for one server process; "
                          "postgresql+psycopg://USER:PASSWORD@HOST/DB for several processes "
                          "or hosts sharing the pets")

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
    restore_hourly_hours: int = Field(
        48, ge=0, le=24 * 366, description="automatic restore points: one per hour of the "
                                           "pet's life, kept this many hours (0 = none)")
    restore_daily_days: int = Field(
        30, ge=0, le=3660, description="automatic restore points older than that: one per "
                                       "day, kept this many days (0 = none)")
    restore_named_max: int = Field(
        20, ge=0, le=1000, description="restore points the owner names, per pet")
    restore_bytes_max: int = Field(
        512 * 1024, ge=16 * 1024, description="bytes of restore points kept per pet: the "
                                               "oldest automatic ones go first")
    secure_cookies: Literal["auto", "always", "never"] = Field(
        "auto", description="auto: Secure when the request came over HTTPS (or a proxy says so)")
    session_days: float = Field(30, gt=0)
    forwarded_allow_ips: str = Field(
        "", description="reverse proxies (addresses or networks, comma-separated; * for any "
                        "peer) whose X-Forwarded-For/-Proto/-Host are believed; "
                        "default: none, the TCP peer is the client")
    allowed_hosts: str = Field(
        "", description="host names this server answers to (comma-separated; *.example.org "
                        "for subdomains); default: any. Loopback names are always allowed")
    signin_failures_per_user: int = Field(
        5, ge=1, description="failed sign-ins to one account from one address (or browser) "
                             "before that pair must wait")
    signin_failures_per_address: int = Field(
        20, ge=1, description="failed sign-ins from one address, any accounts, before it waits")
    signin_window: float = Field(900, gt=0, description="seconds failed sign-ins are counted")
    signin_account_free: int = Field(
        10, ge=1, description="failures on one account from all addresses before its sign-ins "
                              "are slowed down (never locked)")
    signin_account_max_delay: float = Field(
        30, gt=0, le=3600, description="longest wait between password checks of an account "
                                       "under attack")
    credential_check_interval: float = Field(
        1, gt=0, le=300, description="seconds between checks that open live views' sessions "
                                     "and tokens still exist (revoked elsewhere, expired)")
    audit_days: float = Field(365, gt=0, description="days the audit log keeps an event")
    max_tokens_per_user: int = Field(50, ge=1, description="API tokens one account may hold")
    max_sockets_per_user: int = Field(
        32, ge=1, description="live views (websockets) one account may have open at once")
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

    public_url: str | None = Field(
        None, description="the address people use, e.g. https://pets.example.org: OpenID "
                          "Connect redirects are built from it and browser Origins checked "
                          "against it")
    auth_modes: str = Field(
        "local", description="how people sign in: local (passwords), oidc (OpenID Connect) "
                             "or both, comma-separated")
    oidc_issuer: str | None = Field(
        None, description="the OpenID provider's issuer URL (its discovery document is at "
                          "<issuer>/.well-known/openid-configuration)")
    oidc_discovery_url: str | None = Field(
        None, description="where to fetch the discovery document when the server reaches the "
                          "provider by another address than browsers do (a container "
                          "network); default <issuer>/.well-known/openid-configuration. Its "
                          "issuer must still be PYGOTCHI_OIDC_ISSUER")
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_name: str = Field("single sign-on", description="the sign-in button says "
                                                          "'Sign in with <name>'")
    oidc_scopes: str = "openid profile email"
    oidc_roles_claim: str = Field(
        "realm_access.roles", description="dotted path of the ID token claim listing the "
                                          "user's roles or groups (Keycloak: realm_access.roles; "
                                          "Authentik, Authelia: groups)")
    oidc_admin_role: str = Field(
        "pygotchi-admin", description="a user whose roles claim contains this is an "
                                      "administrator (checked at every sign-in)")
    oidc_timeout: float = Field(10, gt=0, description="seconds to wait for the provider")
    push_allowed_hosts: str = Field(
        "", description="comma-separated hosts that push endpoints and Apprise URLs may name "
                        "although they are not public (a LAN service); plain http is allowed "
                        "for them. Everything else must be https on a public address")
    push_contact: str = Field(
        "mailto:pygotchi@localhost", description="the VAPID contact (mailto: or https: URL) "
                                                 "push services may write to")
    push_retry_base: float = Field(
        5.0, gt=0, le=600, description="seconds before the first retry of an undelivered "
                                       "notification; doubles each time, up to an hour")

    node_name: str | None = Field(
        None, max_length=100, description="this process's name among the nodes sharing a "
                                          "PostgreSQL database; default host name and pid")
    lease_timeout: float = Field(
        10.0, ge=0.5, le=300, description="seconds after a node's last heartbeat before other "
                                          "nodes take over its pets (PostgreSQL only)")
    lease_renew: float | None = Field(
        None, gt=0, le=60, description="seconds between heartbeats; default a quarter of "
                                       "lease_timeout")
    cluster_history: bool = Field(
        False, description="keep a row per checkpoint naming the node and lease epoch that "
                           "wrote it (table checkpoint_history): an audit of the fencing")

    log_format: Literal["text", "json"] = "text"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return Path(os.path.expanduser(str(value)))

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        from pygotchi.store.db import normalize_url

        if value is None or not value.strip():
            return None
        return normalize_url(value.strip())

    @field_validator("auth_modes")
    @classmethod
    def _modes(cls, value: str) -> str:
        modes = [m.strip().lower() for m in value.split(",") if m.strip()]
        unknown = [m for m in modes if m not in ("local", "oidc")]
        if unknown or not modes:
            raise ValueError("auth_modes is 'local', 'oidc' or 'local,oidc'")
        return ",".join(dict.fromkeys(modes))

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", value):
            raise ValueError("public_url is an address like https://pets.example.org")
        return value

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if self.oidc_enabled:
            missing = [f"PYGOTCHI_{name.upper()}" for name in
                       ("public_url", "oidc_issuer", "oidc_client_id", "oidc_client_secret")
                       if not getattr(self, name)]
            if missing:
                raise ValueError("OpenID Connect sign-in needs " + ", ".join(missing))
        return self

    @property
    def local_enabled(self) -> bool:
        return "local" in self.auth_modes.split(",")

    @property
    def oidc_enabled(self) -> bool:
        return "oidc" in self.auth_modes.split(",")
    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies(cls, value: str) -> str:
        from pygotchi.server.clientaddr import TrustedProxies

        TrustedProxies.parse(value)  # a typo must stop the start, not trust nobody silently
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, value: str) -> str:
        for name in value.split(","):
            name = name.strip()
            if "*" in name[1:] or (name.startswith("*") and not name.startswith("*.")):
                raise ValueError(f"PYGOTCHI_ALLOWED_HOSTS: {name!r}: a wildcard is only "
                                 "allowed as the first label, as in *.example.org")
        return value

    @property
    def host_allowlist(self) -> list[str]:
        return [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]

    @property
    def renew_interval(self) -> float:
        return self.lease_renew or self.lease_timeout / 4

    @model_validator(mode="after")
    def _renew_within_timeout(self) -> Settings:
        if self.lease_renew is not None and self.lease_renew * 2 > self.lease_timeout:
            raise ValueError("lease_renew must be at most half of lease_timeout, or a node "
                             "would lose its pets between two heartbeats")
        return self

    @property
    def rom_dir(self) -> Path:
        return self.data_dir / "roms"
