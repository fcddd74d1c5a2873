"""The engine's services: plain functions over a SQLAlchemy session, knowing nothing of HTTP."""
