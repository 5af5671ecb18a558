"""The tables, as SQLAlchemy 2 typed models.

A pet row carries its latest checkpoint: the machine state (pygotchi ``PGST``
bytes), the emulated tick of that state, and the wall-clock instant (Unix
seconds) the state belongs to. That pair is what lets a restarted server know
how much time the pet missed; ``state_version`` orders the writes of that state.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLE_ADMIN = "admin"
ROLE_PLAYER = "player"
ROLES = (ROLE_ADMIN, ROLE_PLAYER)
CATCH_UP = "catch_up"
PAUSE_WHILE_DOWN = "pause_while_down"
CATCH_UP_POLICIES = (CATCH_UP, PAUSE_WHILE_DOWN)

# The autopilot (pygotchi.care) per pet: never, always, or when a call stays
# unanswered for ``autopilot_minutes``.
AUTOPILOT_OFF = "off"
AUTOPILOT_MODES = (AUTOPILOT_OFF, "always", "unanswered")
AUTOPILOT_MINUTES = 15
IR_CONVERSATION = "conversation"
IR_FRAMES = "frames"
IR_KINDS = (IR_CONVERSATION, IR_FRAMES)
IR_SOURCES = ("built", "imported", "snooped", "initiated", "responded", "edited")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the database keeps (SQLite keeps none)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Row ids: 64-bit everywhere, as the API promises (ids up to 2^63 - 1). SQLite's INTEGER
# PRIMARY KEY is 64-bit already (and must stay INTEGER to be the rowid); on PostgreSQL
# that is BIGINT (an INTEGER id would overflow at 2^31 and refuse larger ids in queries).
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    # Lower-cased username: "Alice" and "alice" are the same account.
    username_key: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # An account that signs in with OpenID Connect is the provider's (issuer, subject):
    # a name can change at the provider, this pair never does.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255), nullable=True)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), nullable=True)

    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject",
                                       name="uq_users_oidc_identity"),)
    # Two-factor sign-in (TOTP, RFC 6238): the confirmed secret, one being enrolled
    # (shown once, not yet confirmed), and the last time step accepted, so a code
    # that was seen once cannot be replayed.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_pending: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class WebSession(Base):
    """A browser sign-in. Only the sha256 of the cookie value is kept."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The ID token of an OpenID Connect sign-in, sent back to the provider at sign-out
    # (RP-initiated logout's id_token_hint); None for a password sign-in.
    id_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What the person sees in their list of signed-in devices.
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class ApiToken(Base):
    """A personal token for scripts. Only its sha256 is kept: it is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RomRecord(Base):
    """A ROM in the library; its bytes are in the ROM folder under its sha256."""

    __tablename__ = "roms"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(32))
    chip: Mapped[str] = mapped_column(String(16))
    words: Mapped[int] = mapped_column(Integer)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class Pet(Base):
    __tablename__ = "pets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"),
                                          index=True)
    rom_sha256: Mapped[str] = mapped_column(
        ForeignKey("roms.sha256", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    catch_up: Mapped[str] = mapped_column(String(20), default=CATCH_UP)
    autopilot: Mapped[str] = mapped_column(String(16), default=AUTOPILOT_OFF)
    autopilot_minutes: Mapped[int] = mapped_column(Integer, default=AUTOPILOT_MINUTES)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The latest checkpoint: machine state, its emulated tick, and the wall-clock
    # instant (Unix seconds) that state belongs to.
    state: Mapped[bytes] = mapped_column(LargeBinary)
    state_tick: Mapped[int] = mapped_column(BigInteger, default=0)
    state_at: Mapped[float] = mapped_column(Float)
    # Raised by every change that is not time passing (upload, reset, pause, resume): a
    # checkpoint only writes over the version it was taken from (store/pets.py).
    state_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IrItem(Base):
    """A saved IR lab item: one conversation (four slots, by role) or a list of frames.

    ``frames`` is a JSON list of hex strings, the bytes exactly as captured or
    edited (``null`` marks an empty conversation slot); everything shown about
    them (fields, checksum, consistency) is computed from those bytes.
    """

    __tablename__ = "ir_items"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(100))
    notes: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))  # IR_KINDS
    source: Mapped[str] = mapped_column(String(16))  # IR_SOURCES
    frames: Mapped[list[str | None]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEvent(Base):
    """A security event: who did what to which account, pet or ROM, from where.

    ``actor`` keeps the name as it was, so the trail still reads after the
    account is deleted (``actor_id`` then becomes NULL). ``subject`` names what
    was acted on (``user:5``, ``pet:ab12``, ``rom:<sha256>``, ``token:3``).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    actor: Mapped[str] = mapped_column(String(32), default="")
    subject: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


# --- what happened to a pet, and who hears of it (timeline and notifications) -----------

class PetEvent(Base):
    """One line of a pet's timeline: a call, an answer, beeps, a pause, a reset...

    ``tick`` is the emulated instant and ``at`` the wall-clock one (Unix seconds)
    it belongs to; ``frame`` is the LCD (65 bytes, see ``emu.lcd``) at a call.
    """

    __tablename__ = "pet_events"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    pet_id: Mapped[str] = mapped_column(ForeignKey("pets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    tick: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[float] = mapped_column(Float)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    frame: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class PetAlerts(Base):
    """A pet's notification choices (no row: the defaults)."""

    __tablename__ = "pet_alerts"

    pet_id: Mapped[str] = mapped_column(ForeignKey("pets.id", ondelete="CASCADE"),
                                        primary_key=True)
    calls: Mapped[bool] = mapped_column(Boolean, default=True)
    missed: Mapped[bool] = mapped_column(Boolean, default=True)
    muted_until: Mapped[float | None] = mapped_column(Float, nullable=True)


class UserAlerts(Base):
    """A user's quiet hours, in their own time zone (no row: none)."""

    __tablename__ = "user_alerts"

    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    quiet_from: Mapped[int | None] = mapped_column(Integer, nullable=True)  # minutes of the day
    quiet_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")


class PushSubscription(Base):
    """A browser's Web Push subscription (RFC 8030): where to post, and its keys (RFC 8291)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class NotifyChannel(Base):
    """Another way to reach a user, as an Apprise URL (ntfy, Gotify, Telegram, email...).

    The URL holds secrets (tokens, passwords): the API shows only Apprise's
    privacy form of it.
    """

    __tablename__ = "notify_channels"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class OutboxMessage(Base):
    """A notification not yet delivered. Written in the same transaction as the event
    that caused it, deleted once the push service took it: a restart loses none."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("push_subscriptions.id", ondelete="CASCADE"), nullable=True, index=True)
    channel_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("notify_channels.id", ondelete="CASCADE"), nullable=True, index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float)
    next_at: Mapped[float] = mapped_column(Float, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class DebugLabel(Base):
    """A name a user gave to a program address of a ROM, shown by the debugger.

    Kept per user and per ROM: every pet of that ROM shows the same labels, and
    nobody sees another person's (the ROM itself is shared).
    """

    __tablename__ = "debug_labels"
    __table_args__ = (UniqueConstraint("user_id", "rom_sha256", "address"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    rom_sha256: Mapped[str] = mapped_column(ForeignKey("roms.sha256", ondelete="CASCADE"),
                                            index=True)
    address: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(32))


# --- going back in time: restore points, and instance-wide options ------------------------

RESTORE_AUTO = "auto"  # taken by the server on the pet's hourly/daily schedule
RESTORE_NAMED = "named"  # made and named by the owner
RESTORE_UNDO = "undo"  # the pet as it was just before a restore (undoes it)
RESTORE_KINDS = (RESTORE_AUTO, RESTORE_NAMED, RESTORE_UNDO)


class RestorePoint(Base):
    """A saved moment of a pet's life, to go back to or to fork a new pet from.

    ``tick`` is the emulated instant of ``state`` and ``at`` the wall-clock one
    (Unix seconds) it belongs to; ``frame`` is the LCD then (65 bytes, see
    ``emu.lcd``), its thumbnail; ``size`` (state + frame bytes) is what counts
    against the pet's storage bound.
    """

    __tablename__ = "restore_points"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    pet_id: Mapped[str] = mapped_column(ForeignKey("pets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # RESTORE_KINDS
    name: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[bytes] = mapped_column(LargeBinary)
    tick: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[float] = mapped_column(Float)
    frame: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InstanceOption(Base):
    """A setting administrators change while the server runs (no row: the default)."""

    __tablename__ = "instance_options"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
# --- what every server process must see (shared through the database) -------------------

class ServerKey(Base):
    """A key or one-time code of the server: the CSRF/session secret, the VAPID key pair,
    the first-run setup code.

    On PostgreSQL every process reads the same row (first one to start makes it); on
    SQLite the secret and VAPID keys stay files of the data directory (backups carry
    them) and only the setup code lives here.
    """

    __tablename__ = "server_keys"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RomImage(Base):
    """A ROM's bytes, for servers on PostgreSQL: every process loads pets from here.

    (On SQLite the bytes are files in the data directory: see ``store/romfiles.py``.)
    """

    __tablename__ = "rom_images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SignInFailure(Base):
    """One counted sign-in failure under one throttle key (server/ratelimit.py).

    ``key`` is the sha256 of the key (account, address, or the pair): no names or
    addresses are kept, and any text fits. ``at`` is Unix seconds.
    """

    __tablename__ = "signin_failures"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[float] = mapped_column(Float, index=True)


class SignInSlowdown(Base):
    """When an account under attack admits its next password check (Unix seconds)."""

    __tablename__ = "signin_slowdowns"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256
    ready_at: Mapped[float] = mapped_column(Float, index=True)


class ClusterNode(Base):
    """A server process sharing the pets of one PostgreSQL database (``store/cluster.py``).

    Times are Unix seconds of the database's clock, so nodes on hosts whose clocks
    disagree still agree on whose heartbeat is stale. A node's leases are valid while
    ``expires_at`` is in the future: one heartbeat renews all of them at once.
    """

    __tablename__ = "cluster_nodes"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[float] = mapped_column(Float)
    heartbeat_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
    pets: Mapped[int] = mapped_column(Integer, default=0)
    load: Mapped[float] = mapped_column(Float, default=0.0)  # CPU seconds per second
    leaving: Mapped[bool] = mapped_column(Boolean, default=False)


class PetLease(Base):
    """Which node runs a pet, under which epoch.

    ``node`` is null when the pet is free (released at a clean stop). The epoch grows
    by one at every claim; a checkpoint is written only under the epoch it was taken
    with (the fence that keeps a node that froze and woke from overwriting a pet that
    another node now runs).
    """

    __tablename__ = "pet_leases"

    pet_id: Mapped[str] = mapped_column(ForeignKey("pets.id", ondelete="CASCADE"),
                                        primary_key=True)
    node: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    epoch: Mapped[int] = mapped_column(BigInteger, default=0)
    since: Mapped[float] = mapped_column(Float)


class CheckpointRecord(Base):
    """Who wrote each checkpoint (node and epoch), kept only when the operator asks
    (``PYGOTCHI_CLUSTER_HISTORY``): evidence that no stale checkpoint ever landed."""

    __tablename__ = "checkpoint_history"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    pet_id: Mapped[str] = mapped_column(String(32), index=True)
    node: Mapped[str] = mapped_column(String(100))
    epoch: Mapped[int] = mapped_column(BigInteger)
    tick: Mapped[int] = mapped_column(BigInteger)
    state_at: Mapped[float] = mapped_column(Float)
    written_at: Mapped[float] = mapped_column(Float)
