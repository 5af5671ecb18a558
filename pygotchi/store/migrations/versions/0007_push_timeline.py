"""Timeline and notifications: pet events, alert choices, push subscriptions,
Apprise channels and the outbox of notifications not yet delivered.

Revision ID: 0007_push_timeline
Revises: 0006_state_version
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_push_timeline"
down_revision = "0006_state_version"
branch_labels = None
depends_on = None


def _owner(column: str, table: str, target: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], ondelete="CASCADE",
                                   name=op.f(f"fk_{name}_{column}_{table}"))


def upgrade() -> None:
    op.create_table(
        "notify_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        _owner("user_id", "users", "users.id", "notify_channels"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_channels")),
    )
    op.create_index(op.f("ix_notify_channels_user_id"), "notify_channels", ["user_id"])
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=2048), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        _owner("user_id", "users", "users.id", "push_subscriptions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscriptions_endpoint")),
    )
    op.create_index(op.f("ix_push_subscriptions_user_id"), "push_subscriptions", ["user_id"])
    op.create_table(
        "user_alerts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiet_from", sa.Integer(), nullable=True),
        sa.Column("quiet_to", sa.Integer(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        _owner("user_id", "users", "users.id", "user_alerts"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_alerts")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        _owner("channel_id", "notify_channels", "notify_channels.id", "outbox"),
        _owner("subscription_id", "push_subscriptions", "push_subscriptions.id", "outbox"),
        _owner("user_id", "users", "users.id", "outbox"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    for column in ("channel_id", "next_at", "subscription_id", "user_id"):
        op.create_index(op.f(f"ix_outbox_{column}"), "outbox", [column])
    op.create_table(
        "pet_alerts",
        sa.Column("pet_id", sa.String(length=32), nullable=False),
        sa.Column("calls", sa.Boolean(), nullable=False),
        sa.Column("missed", sa.Boolean(), nullable=False),
        sa.Column("muted_until", sa.Float(), nullable=True),
        _owner("pet_id", "pets", "pets.id", "pet_alerts"),
        sa.PrimaryKeyConstraint("pet_id", name=op.f("pk_pet_alerts")),
    )
    op.create_table(
        "pet_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pet_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("tick", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("frame", sa.LargeBinary(), nullable=True),
        _owner("pet_id", "pets", "pets.id", "pet_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pet_events")),
    )
    op.create_index(op.f("ix_pet_events_pet_id"), "pet_events", ["pet_id"])


def downgrade() -> None:
    for table in ("pet_events", "pet_alerts", "outbox", "user_alerts", "push_subscriptions",
                  "notify_channels"):
        op.drop_table(table)
