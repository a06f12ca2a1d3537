"""When live reload happens: on PTB's job queue every few seconds if a file changed, and on SIGHUP.

One reload at a time: the timer skips its turn while a reload runs; a SIGHUP waits for it and then
reloads, so an edit saved during a reload is still picked up. Reloading itself (watcher.py) never
raises, and a failed turn does not end the timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from telegram.ext import Application, ContextTypes

from .watcher import KnowledgeWatcher

log = logging.getLogger(__name__)

LOCK = "reload_lock"


def watcher_of(context: ContextTypes.DEFAULT_TYPE) -> KnowledgeWatcher:
    return context.bot_data["watcher"]


async def reload_if_changed(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Timer: reload when a knowledge file changed; skip the turn while a reload runs."""
    lock: asyncio.Lock = context.bot_data[LOCK]
    if lock.locked():
        return
    async with lock:
        watcher = watcher_of(context)
        try:
            changed = await asyncio.to_thread(watcher.changed)
        except Exception as error:  # noqa: BLE001 - the next turn tries again
            log.error("cannot look at the knowledge files (%s: %s); trying again", type(error).__name__, error)
            return
        if changed:
            await asyncio.to_thread(watcher.reload)


async def reload_now(context: ContextTypes.DEFAULT_TYPE) -> None:
    """SIGHUP: reload at once, after a reload already running."""
    async with context.bot_data[LOCK]:
        await asyncio.to_thread(watcher_of(context).reload)


def schedule_reloads(application: Application, interval: float) -> None:
    """Start the timer and the SIGHUP handler; the job queue stops with the application."""
    application.bot_data[LOCK] = asyncio.Lock()
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("live reload needs python-telegram-bot[job-queue]")
    # Two instances may overlap so that a long reload skips turns quietly (the lock) instead of
    # making APScheduler warn about each missed turn.
    job_queue.run_repeating(reload_if_changed, interval=interval, first=interval, name="knowledge reload",
                            job_kwargs={"max_instances": 2, "coalesce": True})
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: job_queue.run_once(reload_now, 0, name="knowledge reload (SIGHUP)"))


def stop_reloads() -> None:
    """Stop listening for SIGHUP (the timer stops with the job queue)."""
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
