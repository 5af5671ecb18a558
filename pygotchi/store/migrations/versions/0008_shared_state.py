"""Shared state for several server processes: server keys, ROM images, sign-in throttle.

And 64-bit row ids on PostgreSQL, as on SQLite (whose INTEGER PRIMARY KEY is 64-bit):
the API accepts ids up to 2^63 - 1, and a 32-bit column would refuse them in queries.

Revision ID: 0008_shared_state
Revises: 0010_restore_points
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_shared_state"
down_revision = "0010_restore_points"
branch_labels = None
depends_on = None


ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# (table, id column, has its own sequence) for every row id and every column naming one.
ID_COLUMNS = (
    ("users", "id", True), ("api_tokens", "id", True), ("ir_items", "id", True),
    ("audit_events", "id", True), ("pet_events", "id", True),
    ("push_subscriptions", "id", True), ("notify_channels", "id", True), ("outbox", "id", True),
    ("debug_labels", "id", True), ("restore_points", "id", True),
    ("debug_labels", "user_id", False),
    ("sessions", "user_id", False), ("api_tokens", "user_id", False),
    ("roms", "uploaded_by", False), ("pets", "owner_id", False),
    ("ir_items", "owner_id", False), ("audit_events", "actor_id", False),
    ("user_alerts", "user_id", False), ("push_subscriptions", "user_id", False),
    ("notify_channels", "user_id", False), ("outbox", "user_id", False),
    ("outbox", "subscription_id", False), ("outbox", "channel_id", False),
)


def _id_width(new: str, old: sa.types.TypeEngine, to: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: already 64-bit
    for table, column, sequence in ID_COLUMNS:
        op.alter_column(table, column, type_=to, existing_type=old)
        if sequence:
            op.execute(f"ALTER SEQUENCE {table}_{column}_seq AS {new}")


def upgrade() -> None:
    _id_width("bigint", sa.Integer(), sa.BigInteger())
    op.create_table(
        "server_keys",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_keys")),
    )
    op.create_table(
        "rom_images",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_rom_images")),
    )
    op.create_table(
        "signin_failures",
        sa.Column("id", ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_failures")),
    )
    op.create_index(op.f("ix_signin_failures_key"), "signin_failures", ["key"])
    op.create_index(op.f("ix_signin_failures_at"), "signin_failures", ["at"])
    op.create_table(
        "signin_slowdowns",
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("ready_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_signin_slowdowns")),
    )
    op.create_index(op.f("ix_signin_slowdowns_ready_at"), "signin_slowdowns", ["ready_at"])


def downgrade() -> None:
    for table in ("signin_slowdowns", "signin_failures", "rom_images", "server_keys"):
        op.drop_table(table)
    _id_width("integer", sa.BigInteger(), sa.Integer())
