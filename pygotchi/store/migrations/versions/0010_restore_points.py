"""Restore points of pets, and options administrators change at run time.

Revision ID: 0010_restore_points
Revises: 0011_debug_labels
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_restore_points"
down_revision = "0011_debug_labels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "restore_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pet_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("tick", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("frame", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["pet_id"], ["pets.id"], ondelete="CASCADE",
                                name=op.f("fk_restore_points_pet_id_pets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restore_points")),
    )
    op.create_index(op.f("ix_restore_points_pet_id"), "restore_points", ["pet_id"])
    op.create_table(
        "instance_options",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_instance_options")),
    )


def downgrade() -> None:
    op.drop_table("instance_options")
    op.drop_index(op.f("ix_restore_points_pet_id"), table_name="restore_points")
    op.drop_table("restore_points")
