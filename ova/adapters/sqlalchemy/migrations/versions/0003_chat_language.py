"""The language a chat is held in.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: chats stored before this revision have no language and take the
    # service's DEFAULT_LANGUAGE when they continue (a default written here would freeze today's).
    op.add_column("conversations", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and MariaDB), not a copy of the table that
    # every chat turn refers to.
    op.drop_column("conversations", "language")
