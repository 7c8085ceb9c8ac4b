"""SQLAlchemy (Core, asyncio) persistence: SQLite for one process, MySQL/MariaDB past that."""
