"""Migrations build the schema the models describe, on both databases."""

from alembic import command
from sqlalchemy import inspect

from knowledge.migrate import alembic_config, upgrade


def test_schema_matches_models(database_url: str, engine) -> None:
    command.check(alembic_config(database_url))  # raises on drift
    assert {"handoffs", "emergency_alerts"} <= set(inspect(engine).get_table_names())


def test_upgrade_is_idempotent_and_reversible(database_url: str, engine) -> None:
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")
    assert "handoffs" not in inspect(engine).get_table_names()
    upgrade(database_url)
    assert "handoffs" in inspect(engine).get_table_names()
