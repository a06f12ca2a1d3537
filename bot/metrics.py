"""What the bot counts for its operator, in Prometheus's model (prometheus_client).

The counters live at module level, as prometheus_client intends, in a registry of their own, so
that `GET /metrics` shows this bot's figures and the process's, and nothing a library registers.
Counting costs a lock and an addition; it never touches the network.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, disable_created_metrics

from .responder import KINDS

# `_created` timestamps double the series and say nothing an operator needs.
disable_created_metrics()

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # memory, CPU time, open files, start time

UPDATES = Counter("healthfaq_updates", "Updates received from Telegram, by update type.", ["type"],
                  registry=REGISTRY)
OUTCOMES = Counter("healthfaq_outcomes", "Updates handled, by outcome: a reply kind (answer, clarify, "
                   "fallback, urgent, smalltalk) or what else was done (command-start, feedback, "
                   "flood-warn, ignored-group, ...).", ["kind"], registry=REGISTRY)
RED_FLAGS = Counter("healthfaq_red_flags", "Emergency signs raised, by red flag id.", ["flag"],
                    registry=REGISTRY)
REPLY_SECONDS = Histogram("healthfaq_reply_seconds", "Seconds from handling an update to its reply "
                          "having been sent.", registry=REGISTRY,
                          buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
API_ERRORS = Counter("healthfaq_bot_api_errors", "Failed Bot API requests, retried ones included, by "
                     "kind: the HTTP status Telegram answered (http_400, http_403, http_409, http_429, "
                     "http_502, ...) or, without an answer, TimedOut or NetworkError.",
                     ["kind"], registry=REGISTRY)
RELOADS = Counter("healthfaq_knowledge_reloads", "Knowledge reloads tried.", registry=REGISTRY)
RELOAD_FAILURES = Counter("healthfaq_knowledge_reload_failures", "Knowledge reloads refused; the last "
                          "good knowledge base kept serving.", registry=REGISTRY)

for _kind in KINDS:  # every reply kind shows from the start, at 0, so rates work at once
    OUTCOMES.labels(_kind)


def observe_outcome(kind: str, red_flag: str | None = None, seconds: float | None = None) -> None:
    """Count one handled update; `seconds` is how long its reply took (None: nothing was sent)."""
    OUTCOMES.labels(kind).inc()
    if red_flag:
        RED_FLAGS.labels(red_flag).inc()
    if seconds is not None and not kind.startswith("ignored"):
        REPLY_SECONDS.observe(seconds)


def count_api_error(kind: str) -> None:
    API_ERRORS.labels(kind).inc()


def count_reload(succeeded: bool) -> None:
    RELOADS.inc()
    if not succeeded:
        RELOAD_FAILURES.inc()
