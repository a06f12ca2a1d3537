"""Getting requests to Telegram: when to try again, and waiting for Telegram at start-up.

Exactly once: a request that creates a message is sent again only when Telegram certainly did not
get it (the connection was never made, or Telegram answered with an error or "retry after").
A send that timed out after it went out may have arrived, so it is not sent again: a person
would rather miss one reply than read it twice, and a missing reply can be asked for again.
"""

from __future__ import annotations

import asyncio
import logging
import os
from urllib.parse import urlsplit

import httpx
from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

from .errors import ConfigError

log = logging.getLogger(__name__)

FIRST_PAUSE = 0.25
MAX_PAUSE = 5.0
# Waiting for Telegram at start-up: pauses grow from one second to a minute, for as long as it takes.
START_PAUSE = 1.0
MAX_START_PAUSE = 60.0
# httpx errors raised before a request left this machine: Telegram cannot have seen it.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class TokenRejected(ConfigError):
    """Telegram does not know the token; the message never includes it."""

    def __str__(self) -> str:
        return self.message


def creates_message(endpoint: str) -> bool:
    """Whether doing the request twice shows a person something twice."""
    return endpoint.startswith(("send", "forward", "copy"))


def may_have_arrived(error: NetworkError) -> bool:
    """Whether Telegram may have received and acted on a request that failed with `error`.

    No cause means Telegram (or its gateway) answered with an error status: it did nothing.
    """
    cause = error.__cause__
    return cause is not None and not isinstance(cause, NOT_SENT)


TIMEOUTS = {httpx.ConnectTimeout: "connecting timed out", httpx.ReadTimeout: "no answer in time",
            httpx.WriteTimeout: "sending timed out", httpx.PoolTimeout: "no free connection"}


def describe_cause(error: BaseException) -> str:
    """The root cause in a few words, e.g. "Connection refused", "Name or service not known"."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for link in chain:
        for kind, words in TIMEOUTS.items():
            if isinstance(link, kind):
                return words
        if isinstance(link, OSError) and isinstance(link.errno, int) and link.errno > 0:
            return os.strerror(link.errno)
        if isinstance(link, OSError) and link.strerror:
            return str(link.strerror)  # e.g. a resolver error, whose errno is negative
    return str(chain[-1]) or type(chain[-1]).__name__


class PatientRateLimiter(AIORateLimiter):
    """Telegram's rate limits, plus retries while Telegram certainly did not get a request.

    429 flood waits are the base class's (it pauses every request for `retry_after`). Server
    errors and connections that could not be made are retried with a growing pause for up to
    `retry_seconds`; so are timeouts of requests that are safe to repeat (answering a button,
    editing a message). Bad requests and "blocked by the user" are final: retrying cannot help.
    """

    def __init__(self, max_per_second: int, retry_seconds: float) -> None:
        if max_per_second:
            super().__init__(overall_max_rate=max_per_second, max_retries=10)
        else:
            super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=10)
        self.retry_seconds = retry_seconds

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[no-untyped-def,override]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.retry_seconds
        pause = FIRST_PAUSE
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                      rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as error:
                if creates_message(endpoint) and may_have_arrived(error):
                    log.warning("%s failed after it was sent (%s): not sent again, it may have arrived",
                                endpoint, describe_cause(error))
                    raise
                if loop.time() + pause > deadline:
                    raise
                log.warning("%s failed (%s); retrying in %.2fs", endpoint, describe_cause(error), pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)


async def wait_for_telegram(base_url: str, token: str) -> None:
    """Return once Telegram answers getMe with this token, however long the network is down.

    One log line per failed try names the host and the cause; the pauses grow to a minute.
    A rejected token raises TokenRejected at once: trying again cannot help.
    """
    host = urlsplit(base_url).netloc or base_url
    pause = START_PAUSE
    while True:
        try:
            async with Bot(token, base_url=base_url):
                return
        except InvalidToken as error:
            if "Not Found" in str(error.__cause__ or ""):
                raise TokenRejected(f"Telegram answered 404 Not Found at {host}. Check `telegram.base_url`, "
                                    "or get a new token from @BotFather.") from None
            raise TokenRejected("Telegram rejected the token (401). Get a new one from @BotFather.") from None
        except (NetworkError, RetryAfter) as error:
            log.warning("cannot reach Telegram at %s (%s); trying again in %.0f s", host,
                        describe_cause(error), pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, MAX_START_PAUSE)
