"""Group commit of the audit entries of reads: one writer, one transaction for many requests.

A read writes nothing but its audit entries, and before this each read committed them on its own:
on SQLite every such commit took the one write lock in turn, on PostgreSQL each waited for its
own WAL flush. Here a read hands its entries to a single writer thread and waits. The writer takes
every entry waiting, inserts them all in one transaction, commits, and only then answers each
waiting request; if the commit fails, every request in that batch gets the error (and its caller
a 503), so no reader is ever answered before the entries of what it was shown are stored.

While one batch commits, the next fills up, so the batches grow with the load and a lone request
waits for nothing but its own commit. Writes keep their entries in their own transaction
(`AuditTrail`): a change and its entry commit or roll back together.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert

from ambulant.audit.trail import patient_targets
from ambulant.auth.principal import Principal
from ambulant.models import AuditAction, AuditEntry, AuditOutcome
from ambulant.timeutil import now

log = logging.getLogger(__name__)

Row = dict[str, Any]
_TABLE = AuditEntry.metadata.tables["audit_entry"]
# Enough rows for one INSERT per batch on either database (SQLite binds at most 32 766 values).
MAX_BATCH_ROWS = 2000


@dataclass
class _Batch:
    rows: list[Row]
    done: Future[None] = field(default_factory=Future)


_STOP = object()


class AuditWriter:
    """The writer thread of one process's API; `start` before use, `close` at shutdown (it
    writes whatever is waiting first)."""

    def __init__(self, engine: Engine, *, max_batch_rows: int = MAX_BATCH_ROWS) -> None:
        self.engine = engine
        self.max_batch_rows = max_batch_rows
        self._queue: queue.SimpleQueue[_Batch | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._closed = False
        self.commits = 0
        """Transactions committed so far (each holds one or more requests' entries)."""

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        if self._thread.is_alive():
            self._thread.join()

    def submit(self, rows: list[Row]) -> Future[None]:
        """A future that is done once `rows` are committed (or failed with the commit's error)."""
        if self._closed:
            raise RuntimeError("the audit writer is closed")
        batch = _Batch(rows)
        self._queue.put(batch)
        return batch.done

    async def write(self, rows: list[Row]) -> None:
        """Returns once `rows` are committed; raises what the commit raised."""
        # Shielded: a caller that goes away must not cancel entries already handed over.
        await asyncio.shield(asyncio.wrap_future(self.submit(rows)))

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            assert isinstance(first, _Batch)
            batches = [first]
            count = len(first.rows)
            while count < self.max_batch_rows:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                assert isinstance(item, _Batch)
                batches.append(item)
                count += len(item.rows)
            self._commit(batches)

    def _commit(self, batches: list[_Batch]) -> None:
        # A cancelled future's entries are stored all the same; only its answer is dropped.
        waiting = [b for b in batches if b.done.set_running_or_notify_cancel()]
        rows = [row for batch in batches for row in batch.rows]
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(_TABLE), rows)
        except Exception as error:
            log.warning("could not store %d audit entries: %s", len(rows), type(error).__name__)
            for batch in waiting:
                batch.done.set_exception(error)
            return
        self.commits += 1
        for batch in waiting:
            batch.done.set_result(None)


def patient_rows(
    principal: Principal,
    action: AuditAction,
    resource_type: str,
    resource_id: object,
    patient_ids: Iterable[int | None],
    client: str | None = None,
) -> list[Row]:
    """The rows `trail.record_patients` would add: one per distinct patient shown, or one without
    a patient when none was."""
    at = now()
    return [
        {
            "at": at,
            "subject": principal.subject,
            "user_id": principal.user_id,
            "role": principal.role.value,
            "action": action.value,
            "resource_type": resource_type,
            "resource_id": None if resource_id is None else str(resource_id),
            "patient_id": patient,
            "client": client[:100] if client else None,
            "purpose": None,
            "outcome": AuditOutcome.ALLOWED.value,
        }
        for patient in patient_targets(patient_ids)
    ]


@dataclass(frozen=True)
class ReadAudit:
    """The entries of one request's reads, bound to its caller and address, written through the
    group commit: `record_patients` returns once they are stored."""

    writer: AuditWriter
    principal: Principal
    client: str | None

    async def record_patients(
        self,
        action: AuditAction,
        resource_type: str,
        resource_id: object,
        patient_ids: Iterable[int | None],
    ) -> None:
        rows = patient_rows(
            self.principal, action, resource_type, resource_id, patient_ids, self.client
        )
        await self.writer.write(rows)
