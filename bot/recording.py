"""Best-effort recording for the Telegram channel: the store is written after the reply, off the loop.

A reply never waits for SQLite. Outcomes go to one writer thread in order (so a vote or /forget
sees every outcome queued before it); a locked or broken database makes writes fail after
`WRITE_TIMEOUT` and be dropped with one log line, while replies go on as before.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from .responder import Reply
from .store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long one write may wait for a locked database before it is dropped.
WRITE_TIMEOUT = 1.0
# Outcomes waiting to be written at most; past this they are dropped (counted in the log).
MAX_PENDING = 10_000
# At shutdown, how long queued outcomes may take to be written before the store is closed.
FLUSH_TIMEOUT = 5.0


class Recorder:
    """Queues writes to the store on one thread; never raises into the caller for an outcome."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.limit_waits(WRITE_TIMEOUT)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recorder")
        self._room = threading.BoundedSemaphore(MAX_PENDING)
        self._dropped = 0  # only touched on the writer thread, or before it starts

    def new_outcome_id(self) -> int:
        return self.store.new_outcome_id()

    def record(self, reply: Reply, user_id: int | None, text: str | None, outcome_id: int | None) -> None:
        """Queue one outcome and return at once; it is written when the database lets it."""
        if not self._room.acquire(blocking=False):
            self._dropped += 1
            return
        suggestions = tuple(s.entry_id for s in reply.suggestions)
        self._writer.submit(self._write, reply.kind, reply.entry_id or reply.red_flag, reply.score,
                            suggestions, user_id, text, outcome_id)

    def _write(self, *outcome: object) -> None:
        try:
            self.store.record(*outcome)  # type: ignore[arg-type]
        except Exception as error:  # a broken database must never stop the bot
            if not self._dropped:
                log.warning("outcome not recorded (%s: %s); replies go on, recording is retried with "
                            "the next outcome", type(error).__name__, error)
            self._dropped += 1
        else:
            if self._dropped:
                log.warning("recording works again; %d outcomes were not recorded", self._dropped)
                self._dropped = 0
        finally:
            self._room.release()

    async def call(self, function: Callable[..., T], *args: object, timeout: float) -> T:
        """Run a store method after every outcome queued so far; TimeoutError past `timeout`."""
        future = asyncio.get_running_loop().run_in_executor(self._writer, function, *args)
        return await asyncio.wait_for(asyncio.shield(future), timeout)

    async def close(self) -> None:
        """Write what is queued (for up to FLUSH_TIMEOUT), drop the rest, close the store."""
        done = asyncio.get_running_loop().run_in_executor(self._writer, lambda: None)
        try:
            await asyncio.wait_for(asyncio.shield(done), FLUSH_TIMEOUT)
        except asyncio.TimeoutError:
            log.warning("closing the store with outcomes still queued; they are not recorded")
        await asyncio.to_thread(self._writer.shutdown, wait=True, cancel_futures=True)
        self.store.close()
