"""The schema, as SQLAlchemy Core tables. Migrations must agree with it (a test checks)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql

from ova.adapters.sqlalchemy.column_types import UTCDateTime

# utf8mb4_bin: text compares byte for byte, as on SQLite and in the in-memory fakes. The default
# *_ci collations would treat "jose" and "josé" (and many emoji) as equal, so unique emails and
# searches would disagree between backends. Case-insensitive search uses LOWER() explicitly.
# sqlite_autoincrement=True (on tables with an integer id): never reuse the id of a deleted row, as
# MySQL and the fakes don't; a reused user id would match tokens issued to the deleted user.
MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nombre", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("rol", String(16), nullable=False),
    Column("activo", Boolean, nullable=False),
    Column("fecha_registro", UTCDateTime, nullable=False),
    Column("password_hash", String(255), nullable=True),
    Index("ix_users_email", "email", unique=True),
    sqlite_autoincrement=True,
    **MYSQL_TABLE_OPTIONS,
)

contact_messages = Table(
    "contact_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nombre", String(100), nullable=False),
    Column("apellido", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("asunto", String(200), nullable=False),
    Column("mensaje", Text, nullable=False),
    Column("leido", Boolean, nullable=False),
    Column("respondido", Boolean, nullable=False),
    Column("fecha_envio", UTCDateTime, nullable=False),
    Index("ix_contact_messages_leido_fecha_envio", "leido", "fecha_envio"),
    Index("ix_contact_messages_fecha_envio", "fecha_envio"),
    sqlite_autoincrement=True,
    **MYSQL_TABLE_OPTIONS,
)

refresh_sessions = Table(
    "refresh_sessions",
    metadata,
    Column("family", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("current_jti", String(64), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False),
    Index("ix_refresh_sessions_user_id", "user_id"),
    Index("ix_refresh_sessions_expires_at", "expires_at"),
    **MYSQL_TABLE_OPTIONS,
)

# A conversation is deleted with its owner; an anonymous one (owner_id NULL) stays until deleted.
conversations = Table(
    "conversations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("title", String(120), nullable=False),
    Column("message_count", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("language", String(8), nullable=True),
    Index("ix_conversations_owner_id_updated_at", "owner_id", "updated_at"),
    Index("ix_conversations_updated_at", "updated_at"),
    **MYSQL_TABLE_OPTIONS,
)

# BIGINT on MySQL (turns add up); SQLite's AUTOINCREMENT needs exactly INTEGER PRIMARY KEY.
# MEDIUMTEXT on MySQL: TEXT holds 64 KiB *bytes*, a quarter of that in 4-byte utf8mb4 characters.
chat_turns = Table(
    "chat_turns",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("chat_id", String(64), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("speaker", String(16), nullable=False),
    Column("text", Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_chat_turns_chat_id_created_at_id", "chat_id", "created_at", "id"),
    sqlite_autoincrement=True,
    **MYSQL_TABLE_OPTIONS,
)
