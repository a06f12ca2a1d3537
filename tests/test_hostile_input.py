"""Any text at all gets a reply of a valid kind, with the disclaimer where due, quickly."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.responder import HEALTH_KINDS, KINDS, Reply, Responder

NASTY = st.sampled_from([
    "", " ", "\u200b\u200b", "\u202eevil", "مرحبا كيف حالك", "שלום", "😀" * 500, "<script>alert(1)</script>",
    "**bold** _it_ `code` [link](http://x)", "'; DROP TABLE outcomes; --", "\x00\x01\x1f", "a" * 10_000,
    "cramp " * 2000, "\ud7ff\ue000\ufffd", "glute\u0301 cra\u0308mp", "％ｗｈａｔ　ｃａｕｓｅｓ",
])


def timed(responder: Responder, text: str) -> tuple[float, object]:
    started = time.perf_counter()
    reply = responder.respond(text)
    return time.perf_counter() - started, reply


def check(responder: Responder, text: str) -> None:
    # The fastest of up to three tries: a pause of the machine (another process, the garbage
    # collector) is not the bot being slow.
    elapsed, reply = timed(responder, text)
    for _ in range(2):
        if elapsed < 0.05:
            break
        elapsed = min(elapsed, timed(responder, text)[0])
    assert isinstance(reply, Reply) and reply.kind in KINDS
    if reply.kind in HEALTH_KINDS:
        assert reply.disclaimer and reply.text.endswith(reply.disclaimer)
    assert reply.text.strip()
    assert elapsed < 0.05, f"{elapsed * 1000:.1f} ms for {text[:40]!r}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text(responder: Responder, text: str) -> None:
    check(responder, text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(NASTY, st.text(min_size=5000, max_size=10_000),
                 st.lists(st.sampled_from(["glute", "cramp", "why", "no", "chest", "<b>", "🙂", "\n"]),
                          max_size=400).map(" ".join)))
def test_hostile_text(responder: Responder, text: str) -> None:
    check(responder, text)
