"""Reading an engine's plan for a statement as the service sends it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select


def plan(connection: Connection, statement: Select[Any]) -> str:
    """The engine's plan for the statement, its parameters bound, as one line of text."""
    compiled = statement.compile(connection).construct_expanded_state({})
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled.statement}", tuple(compiled.positional_parameters)
        )
        return " | ".join(str(row[-1]) for row in rows)
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled.statement}", compiled.parameters)
    return " | ".join(str(row[0]) for row in rows)
