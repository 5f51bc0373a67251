"""Migration operations Tortoise lacks, for hand-written migrations.

``StateOnly`` changes only the migrations' model state (a model moving between apps).

``AlterTable`` runs several schema operations on one table as one unit. On SQLite an
``AlterField`` rebuilds the table (create a copy, copy the rows, drop the original, rename), and
dropping a table that other tables reference with foreign keys ON deletes their rows through
``ON DELETE CASCADE`` — so it switches foreign-key enforcement off around the rebuild (which
SQLite only allows outside a transaction: the migration must say ``atomic = False``), runs the
operations in one transaction, checks every foreign key before committing, and switches
enforcement back on. On PostgreSQL it runs them in one transaction.
"""

from __future__ import annotations

from typing import Any

from tortoise.migrations.operations import TortoiseOperation
from tortoise.transactions import in_transaction


class ForeignKeyViolation(RuntimeError):
    pass


class AlterTable(TortoiseOperation):
    reduces_to_sql = False

    def __init__(self, *operations: TortoiseOperation) -> None:
        self.operations = operations

    def describe(self) -> str:
        return "; ".join(op.describe() for op in self.operations)

    def state_forward(self, app_label: str, state: Any) -> None:
        for op in self.operations:
            op.state_forward(app_label, state)

    async def database_forward(self, app_label: str, old_state: Any, new_state: Any,
                               state_editor: Any = None) -> None:
        if not state_editor:
            return
        client = state_editor.client
        sqlite = state_editor.DIALECT == "sqlite"
        if sqlite:
            await client.execute_script("PRAGMA foreign_keys = OFF")
        try:
            async with in_transaction(client.connection_name) as txn:
                state_editor.client = txn
                state = old_state.clone()
                for op in self.operations:
                    before = state.clone()
                    op.state_forward(app_label, state)
                    await op.database_forward(app_label, before, state, state_editor)
                if sqlite:
                    broken = await txn.execute_query_dict("PRAGMA foreign_key_check")
                    if broken:
                        raise ForeignKeyViolation(f"foreign keys broken by the rebuild: {broken}")
        finally:
            state_editor.client = client
            if sqlite:
                await client.execute_script("PRAGMA foreign_keys = ON")


class StateOnly(TortoiseOperation):
    """Operations that change only what the migrations know about the models, not the
    database: e.g. a model moving from one app to another whose table stays as it is (a
    ``DeleteModel`` in the old app and a ``CreateModel`` in the new one, each wrapped in
    ``StateOnly`` — no table is dropped, created or rebuilt)."""

    reduces_to_sql = False

    def __init__(self, *operations: TortoiseOperation) -> None:
        self.operations = operations

    def describe(self) -> str:
        return "(state only) " + "; ".join(op.describe() for op in self.operations)

    def state_forward(self, app_label: str, state: Any) -> None:
        for op in self.operations:
            op.state_forward(app_label, state)

    async def database_forward(self, app_label: str, old_state: Any, new_state: Any,
                               state_editor: Any = None) -> None:
        return None

    async def database_backward(self, app_label: str, old_state: Any, new_state: Any,
                                state_editor: Any = None) -> None:
        return None
