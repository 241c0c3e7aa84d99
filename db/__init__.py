"""Storage: SQLAlchemy models, the engine and session factory, and Alembic migrations."""
