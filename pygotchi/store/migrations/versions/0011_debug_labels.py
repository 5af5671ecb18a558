"""Debugger labels: names users give to program addresses, per user and per ROM.

Revision ID: 0011_debug_labels
Revises: 0007_push_timeline
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_debug_labels"
down_revision = "0007_push_timeline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "debug_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("rom_sha256", sa.String(length=64), nullable=False),
        sa.Column("address", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_debug_labels_user_id_users")),
        sa.ForeignKeyConstraint(["rom_sha256"], ["roms.sha256"], ondelete="CASCADE",
                                name=op.f("fk_debug_labels_rom_sha256_roms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debug_labels")),
        sa.UniqueConstraint("user_id", "rom_sha256", "address",
                            name=op.f("uq_debug_labels_user_id")),
    )
    op.create_index(op.f("ix_debug_labels_user_id"), "debug_labels", ["user_id"])
    op.create_index(op.f("ix_debug_labels_rom_sha256"), "debug_labels", ["rom_sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_debug_labels_rom_sha256"), table_name="debug_labels")
    op.drop_index(op.f("ix_debug_labels_user_id"), table_name="debug_labels")
    op.drop_table("debug_labels")
