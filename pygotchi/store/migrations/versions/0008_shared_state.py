"""Shared state for several server processes: server keys, ROM images, sign-in throttle.

Revision ID: 0008_shared_state
Revises: 0011_debug_labels
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_shared_state"
down_revision = "0011_debug_labels"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
        sa.Column("id", sa.Integer(), nullable=False),
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
