"""Cluster: the nodes sharing a PostgreSQL database, each pet's lease, and (when asked)
who wrote each checkpoint.

Revision ID: 0009_cluster_leases
Revises: 0008_shared_state
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_cluster_leases"
down_revision = "0008_shared_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cluster_nodes",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("heartbeat_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("pets", sa.Integer(), nullable=False),
        sa.Column("load", sa.Float(), nullable=False),
        sa.Column("leaving", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cluster_nodes")),
    )
    op.create_index(op.f("ix_cluster_nodes_expires_at"), "cluster_nodes", ["expires_at"])
    op.create_table(
        "pet_leases",
        sa.Column("pet_id", sa.String(length=32), nullable=False),
        sa.Column("node", sa.String(length=100), nullable=True),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("since", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pet_id"], ["pets.id"], ondelete="CASCADE",
                                name=op.f("fk_pet_leases_pet_id_pets")),
        sa.PrimaryKeyConstraint("pet_id", name=op.f("pk_pet_leases")),
    )
    op.create_index(op.f("ix_pet_leases_node"), "pet_leases", ["node"])
    op.create_table(
        "checkpoint_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pet_id", sa.String(length=32), nullable=False),
        sa.Column("node", sa.String(length=100), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("tick", sa.BigInteger(), nullable=False),
        sa.Column("state_at", sa.Float(), nullable=False),
        sa.Column("written_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_history")),
    )
    op.create_index(op.f("ix_checkpoint_history_pet_id"), "checkpoint_history", ["pet_id"])


def downgrade() -> None:
    op.drop_table("checkpoint_history")
    op.drop_table("pet_leases")
    op.drop_table("cluster_nodes")
