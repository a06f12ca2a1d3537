"""`python -m benchmarks`: the matcher at 15, 1,000 and 10,000 entries against the naive baseline,
and the bot end to end against an echo bot, through the tests' fake Bot API server.

Prints a table and writes the figures as JSON (benchmarks/results.json by default). Each matcher
size runs in a child process pinned to one core, so its peak memory and timings are its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHIPPED = PROJECT_DIR / "knowledge"
SIZES = (15, 1000, 10000)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def measure_matcher(size: int, messages: int, naive_messages: int) -> dict:
    """Runs in the child: load, index and answer `messages` messages; the naive baseline too."""
    pin_to_one_core()
    from rapidfuzz import fuzz, process

    from benchmarks.synthetic import make_messages, write_knowledge
    from bot.config import Config
    from bot.knowledge import load_knowledge
    from bot.responder import Responder

    baseline_rss = current_rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        knowledge_path = SHIPPED if size == 15 else write_knowledge(Path(folder) / "k", size, SHIPPED)
        started = time.perf_counter()
        knowledge = load_knowledge(knowledge_path)
        responder = Responder(knowledge, Config(knowledge_path=knowledge_path))
        load_seconds = time.perf_counter() - started
    questions = [q for entry in knowledge.entries.values() for q in entry.questions]
    texts = make_messages(questions, messages)
    responder.respond(texts[0])  # first-call costs (lazy word list) are part of loading, not a message
    timings = []
    for text in texts:
        started = time.perf_counter()
        responder.respond(text)
        timings.append((time.perf_counter() - started) * 1000)
    naive = []
    for text in texts[:naive_messages]:
        started = time.perf_counter()
        process.extractOne(text, questions, scorer=fuzz.WRatio)
        naive.append((time.perf_counter() - started) * 1000)
    return {
        "entries": len(knowledge.entries), "phrasings": len(questions), "messages": len(texts),
        "load_seconds": round(load_seconds, 3),
        "p50_ms": round(percentile(timings, 0.5), 4), "p99_ms": round(percentile(timings, 0.99), 4),
        "naive_messages": len(naive),
        "naive_p50_ms": round(percentile(naive, 0.5), 4), "naive_p99_ms": round(percentile(naive, 0.99), 4),
        "speedup_p50": round(percentile(naive, 0.5) / percentile(timings, 0.5), 1),
        "speedup_p99": round(percentile(naive, 0.99) / percentile(timings, 0.99), 1),
        "baseline_rss_mb": round(baseline_rss, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def run_matcher_child(size: int, messages: int, naive_messages: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--child-size", str(size), "--messages", str(messages),
         "--naive-messages", str(naive_messages)],
        capture_output=True, text=True, cwd=PROJECT_DIR, check=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)})
    return json.loads(result.stdout)


async def measure_end_to_end(people: int, each: int, echo: bool) -> dict:
    """People send `each` messages through the fake Bot API; count what arrives."""
    from telegram import Update
    from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

    from bot.config import Config, Telegram
    from bot.knowledge import load_knowledge
    from bot.responder import Responder
    from bot.telegram_bot import CONCURRENT_UPDATES, PatientRateLimiter, build_application
    from tests.fake_bot_api import TOKEN, FakeBotAPI, text_update

    api = FakeBotAPI()
    await api.start()
    rss_before = current_rss_mb()
    if echo:
        async def echo_text(update: Update, context: object) -> None:
            """The ceiling: reply with the same text, no matching."""
            await update.effective_message.reply_text(update.effective_message.text, do_quote=False)

        application: Application = (ApplicationBuilder().token(TOKEN).base_url(api.base_url)
                                    .rate_limiter(PatientRateLimiter(0, 60))
                                    .concurrent_updates(CONCURRENT_UPDATES)
                                    .connection_pool_size(CONCURRENT_UPDATES).build())
        application.add_handler(MessageHandler(filters.TEXT, echo_text))
    else:
        config = replace(Config(), telegram=replace(Telegram(base_url=api.base_url),
                                                    max_messages_per_second=0, flood_burst=each))
        application = build_application(Responder(load_knowledge(SHIPPED), config), config, TOKEN)
    messages = ["why do my glutes cramp", "how much water a day", "what causes migraines", "hi",
                "butt cramp", "can low magnesium cause cramps", "when should i see a doctor",
                "wat is gluteus maximus", "my bum cramps after squats", "thanks"]
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    started = time.perf_counter()
    for round_ in range(each):
        for person in range(people):
            await api.add_update(text_update(10_000 + person, messages[(person + round_) % len(messages)]))
    expected = people * each
    try:
        await api.wait_for("sendMessage", expected, timeout=600)
    except AssertionError:
        pass
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1.0)
    rss_after = current_rss_mb()
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    await api.stop()
    per_chat = Counter(int(call.params["chat_id"]) for call in api.sent("sendMessage"))
    delivered = sum(per_chat.values())
    return {
        "bot": "echo" if echo else "health-faq", "people": people, "messages": expected,
        "delivered": delivered, "lost": sum(max(0, each - per_chat.get(10_000 + p, 0)) for p in range(people)),
        "duplicated": sum(max(0, n - each) for n in per_chat.values()),
        "seconds": round(elapsed, 2), "replies_per_second": round(delivered / elapsed, 1),
        "rss_before_mb": round(rss_before, 1), "rss_after_mb": round(rss_after, 1),
    }


def print_table(results: dict) -> None:
    print(f"machine: {results['machine']}")
    print("\nmatcher (one core)   entries  phrasings  load s   p50 ms   p99 ms  naive p50  naive p99"
          "  speed-up p50/p99  peak MB")
    for row in results["matcher"]:
        print(f"{'':<20}{row['entries']:>8}{row['phrasings']:>11}{row['load_seconds']:>8.2f}"
              f"{row['p50_ms']:>9.3f}{row['p99_ms']:>9.3f}{row['naive_p50_ms']:>11.2f}{row['naive_p99_ms']:>11.2f}"
              f"{row['speedup_p50']:>11.0f}x/{row['speedup_p99']:.0f}x{row['peak_rss_mb']:>9.1f}")
    print("\nend to end           messages  delivered  lost  duplicated  seconds  replies/s  MB before/after")
    for row in results["end_to_end"]:
        print(f"{row['bot']:<20}{row['messages']:>9}{row['delivered']:>11}{row['lost']:>6}{row['duplicated']:>12}"
              f"{row['seconds']:>9.1f}{row['replies_per_second']:>11.1f}"
              f"{row['rss_before_mb']:>9.1f}/{row['rss_after_mb']:.1f}")
    print(f"\nhealth-faq bot at {results['end_to_end_ratio'] * 100:.0f}% of the echo bot's replies per second")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--messages", type=int, default=2000, help="messages per matcher size")
    parser.add_argument("--naive-messages", type=int, default=300, help="messages for the naive baseline")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--each", type=int, default=10, help="messages per person end to end")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results.json")
    parser.add_argument("--child-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_size:
        print(json.dumps(measure_matcher(args.child_size, args.messages, args.naive_messages)))
        return 0
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "matcher": [], "end_to_end": []}
    for size in SIZES:
        print(f"matcher: {size} entries ...", file=sys.stderr, flush=True)
        results["matcher"].append(run_matcher_child(size, args.messages, args.naive_messages))
    for echo in (True, False):
        print(f"end to end: {'echo' if echo else 'health-faq'} bot ...", file=sys.stderr, flush=True)
        results["end_to_end"].append(asyncio.run(measure_end_to_end(args.people, args.each, echo)))
    echo_rate, bot_rate = (row["replies_per_second"] for row in results["end_to_end"])
    results["end_to_end_ratio"] = round(bot_rate / echo_rate, 3)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
