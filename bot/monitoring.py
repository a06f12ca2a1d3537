"""The operator's view of a running bot: GET /healthz (liveness) and GET /metrics (Prometheus).

The server is the standard library's WSGI server in a thread, as prometheus_client's own, so a
scrape never waits for the bot. Liveness is judged from the bot's side: the Application runs,
the Updater polls or serves the webhook, and the event loop has ticked within STALL_SECONDS (a
blocked loop answers nobody, so it is not alive). Off unless `monitoring.port` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from .config import Config
from .errors import ConfigError
from .metrics import REGISTRY, UPDATES, count_api_error

log = logging.getLogger(__name__)

STALL_SECONDS = 10.0
HEARTBEAT_SECONDS = 1.0
MONITOR_KEY = "monitor"


class CountedRequest(HTTPXRequest):
    """python-telegram-bot's HTTP client, counting every failed Bot API request: by HTTP status
    when Telegram answered (http_429, http_502, ...), else by error (TimedOut, NetworkError)."""

    __slots__ = ()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            status, payload = await super().do_request(*args, **kwargs)
        except TelegramError as error:
            count_api_error(type(error).__name__)
            raise
        if status >= 400:
            count_api_error(f"http_{status}")
        return status, payload


async def count_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count every update by its type, before any handler sees it."""
    kind = next((name for name in Update.ALL_TYPES if getattr(update, name, None) is not None), "other")
    UPDATES.labels(kind).inc()


class QuietHandler(WSGIRequestHandler):
    """No access log: a scrape every 15 s would drown the bot's own lines."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@dataclass
class Monitor:
    """The server, and what it needs to judge liveness."""

    application: Application
    config: Config
    last_beat: float = field(default_factory=time.monotonic)
    server: ThreadingWSGIServer | None = None
    thread: threading.Thread | None = None
    heartbeat: asyncio.Task[None] | None = None

    def liveness(self) -> tuple[bool, str]:
        """(alive, why): polling or serving the webhook, with an event loop that moves."""
        updater = self.application.updater
        if not (self.application.running and updater is not None and updater.running):
            return False, "not polling and no webhook served"
        stalled = time.monotonic() - self.last_beat
        if stalled > STALL_SECONDS:
            return False, f"the event loop has not moved for {stalled:.0f}s"
        return True, self.config.telegram.mode

    def serve(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """WSGI: /healthz, /metrics, and 404 for anything else."""
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return METRICS_APP(environ, start_response)
        if path == "/healthz":
            alive, why = self.liveness()
            status, body = ("200 OK", f"ok: {why}\n") if alive else ("503 Service Unavailable",
                                                                     f"not alive: {why}\n")
        else:
            status, body = "404 Not Found", "not found: GET /healthz or /metrics\n"
        data = body.encode()
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                                ("Content-Length", str(len(data)))])
        return [data]


METRICS_APP = make_wsgi_app(REGISTRY)


def instrument(application: Application, config: Config) -> None:
    """Count updates as they arrive; the server itself starts with the bot (start_monitoring)."""
    application.add_handler(TypeHandler(Update, count_update), group=-1)
    application.bot_data[MONITOR_KEY] = Monitor(application, config)


def server_class(listen: str) -> type[ThreadingWSGIServer]:
    """The threading WSGI server for an IPv4 or IPv6 address."""
    family = socket.AF_INET6 if ":" in listen else socket.AF_INET
    return type("MonitoringServer", (ThreadingWSGIServer,), {"address_family": family})


async def beat(monitor: Monitor) -> None:
    while True:
        monitor.last_beat = time.monotonic()
        await asyncio.sleep(HEARTBEAT_SECONDS)


async def start_monitoring(application: Application) -> None:
    """Serve /healthz and /metrics on `monitoring.listen:port`, when a port is set."""
    monitor: Monitor | None = application.bot_data.get(MONITOR_KEY)
    if monitor is None or not monitor.config.monitoring.port:
        return
    settings = monitor.config.monitoring
    try:
        monitor.server = make_server(settings.listen, settings.port, monitor.serve,
                                     server_class(settings.listen), QuietHandler)
    except OSError as error:
        raise ConfigError(f"cannot serve /healthz and /metrics on {settings.listen}:{settings.port} "
                          f"({error.strerror or error})", monitor.config.path,
                          fix="choose a free `monitoring.port`, or 0 to turn the server off") from None
    monitor.heartbeat = asyncio.create_task(beat(monitor))
    monitor.thread = threading.Thread(target=monitor.server.serve_forever, name="monitoring", daemon=True)
    monitor.thread.start()
    log.info("serving /healthz and /metrics on %s:%d", settings.listen, monitor.server.server_port)


async def stop_monitoring(application: Application) -> None:
    """Stop the server and the heartbeat; a no-op when they never started."""
    monitor: Monitor | None = application.bot_data.get(MONITOR_KEY)
    if monitor is None or monitor.server is None:
        return
    await asyncio.to_thread(monitor.server.shutdown)
    monitor.server.server_close()
    monitor.server = None
    if monitor.heartbeat is not None:
        monitor.heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await monitor.heartbeat
