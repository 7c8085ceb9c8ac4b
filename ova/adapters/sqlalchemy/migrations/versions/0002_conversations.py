"""Chat conversations and their turns.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-15
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types and options of this revision (not imported from tables.py).
# Turn ids: BIGINT on MySQL, INTEGER on SQLite (AUTOINCREMENT needs exactly INTEGER PRIMARY KEY).
# Turn text: MEDIUMTEXT on MySQL, since TEXT holds 64 KiB of bytes, not of characters.
UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
TURN_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TURN_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name="fk_conversations_owner_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_conversations_owner_id_updated_at", "conversations", ["owner_id", "updated_at"])
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])

    op.create_table(
        "chat_turns",
        sa.Column("id", TURN_ID, autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("text", TURN_TEXT, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["conversations.id"],
            name="fk_chat_turns_chat_id_conversations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_chat_turns"),
        sqlite_autoincrement=True,
        **TABLE_OPTIONS,
    )
    op.create_index("ix_chat_turns_chat_id_created_at_id", "chat_turns", ["chat_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_table("chat_turns")
    op.drop_table("conversations")
