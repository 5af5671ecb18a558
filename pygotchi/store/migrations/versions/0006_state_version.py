"""Pets: a version number on the stored state (optimistic concurrency for checkpoints).

Every acknowledged change of a pet's state that is not just time passing (a
state upload, a reset, a pause or a resume) raises the version; a checkpoint
writes only over the version its snapshot was taken from, so an older snapshot
that commits late can never overwrite such a change.

Revision ID: 0006_state_version
Revises: 0005_auth_audit
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_state_version"
down_revision = "0005_auth_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pets") as batch:
        batch.add_column(sa.Column("state_version", sa.BigInteger(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("pets") as batch:
        batch.drop_column("state_version")
