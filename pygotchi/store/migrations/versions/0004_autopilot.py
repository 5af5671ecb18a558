"""The autopilot setting of each pet: off, always, or when a call goes unanswered.

Revision ID: 0004_autopilot
Revises: 0003_oidc_identity
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_autopilot"
down_revision = "0003_oidc_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pets") as batch:
        batch.add_column(sa.Column("autopilot", sa.String(length=16), nullable=False,
                                   server_default="off"))
        batch.add_column(sa.Column("autopilot_minutes", sa.Integer(), nullable=False,
                                   server_default="15"))


def downgrade() -> None:
    with op.batch_alter_table("pets") as batch:
        batch.drop_column("autopilot_minutes")
        batch.drop_column("autopilot")
