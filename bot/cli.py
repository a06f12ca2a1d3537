"""`python -m bot`: run, chat, ask, eval, check, report and draft. Errors print one line each, exit 2."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from .conversation import Conversation
from .config import TOKEN_VARIABLE, Config, load_config, read_token
from .draft import decode, draft_article, merge, render
from .errors import BotError, ConfigError, KnowledgeError, KnowledgeErrors
from .evaluation import check_expectations, evaluate, load_cases
from .knowledge import (RED_FLAGS_FILE, VOCABULARY_FILE, check_across_files, find_article_files, knowledge_folder,
                        load_knowledge, parse_article)
from .report import FORMATS, load_report
from .responder import Reply, Responder
from .safety import failing_examples
from .store import Store
from .terminal import choices_of, render_text, run_chat
from .yamlfile import parse_yaml


def build_responder(config: Config) -> Responder:
    return Responder(load_knowledge(config.knowledge_path), config)


def reply_json(reply: Reply) -> str:
    """The stable contract of `ask --json`: one object a message, in this shape."""
    return json.dumps({
        "kind": reply.kind,
        "id": reply.entry_id,
        "ids": list(reply.entry_ids),
        "score": round(reply.score, 4),
        "suggestions": [suggestion.entry_id for suggestion in reply.suggestions],
        "text": reply.text,
    }, ensure_ascii=False)


def command_ask(args: argparse.Namespace, config: Config) -> int:
    responder = build_responder(config)

    def show(reply: Reply) -> str:
        return reply_json(reply) if args.json else render_text(reply, choices_of(reply, responder))

    if args.text == ["-"]:
        # Each line stands alone, unless --conversation reads them as one person's chat.
        conversation = Conversation()
        for line in sys.stdin:
            reply = responder.respond(line.rstrip("\n"), conversation if args.conversation else None)
            conversation = reply.conversation
            print(show(reply) + ("" if args.json else "\n"), flush=True)
        return 0
    print(show(responder.respond(" ".join(args.text))))
    return 0


def command_chat(args: argparse.Namespace, config: Config) -> int:
    run_chat(build_responder(config), input, print)
    return 0


def command_run(args: argparse.Namespace, config: Config) -> int:
    responder = build_responder(config)
    token = read_token()
    if token is None:
        print(f"{TOKEN_VARIABLE} is not set, so the bot cannot connect to Telegram. Get a token from "
              f"@BotFather and run: export {TOKEN_VARIABLE}=123456789:AA...", file=sys.stderr)
        if not sys.stdin.isatty():
            return 2
        print("Starting a chat in this terminal instead.\n", file=sys.stderr)
        run_chat(responder, input, print)
        return 0
    from .telegram_bot import run_telegram  # the only module that imports telegram

    store = open_store(config) if config.store.enabled else None
    return run_telegram(responder, config, token, store)


def open_store(config: Config) -> Store:
    return Store(config.store_path, config.store.retention_days)


def command_report(args: argparse.Namespace, config: Config) -> int:
    if not config.store_path.exists():
        raise ConfigError("there is no store yet: the bot has not recorded anything", config.store_path,
                          fix="run the bot first, or point `store.path` at its database")
    store = open_store(config)
    try:
        report = load_report(store, build_responder(config), args.since)
    finally:
        store.close()
    print(FORMATS[args.format](report))
    return 0


def command_check(args: argparse.Namespace, config: Config) -> int:
    paths = [Path(path) for path in args.paths] or [config.knowledge_path]
    for path in paths:
        folder = knowledge_folder(path)
        # A lone article file is checked against the configured vocabulary, red flags and small talk.
        support = folder if (folder / VOCABULARY_FILE).exists() else knowledge_folder(config.knowledge_path)
        knowledge = load_knowledge(path, support, include_drafts=True)
        # Each red flag's examples must raise it and its near misses must not: rules and examples
        # are reviewed together.
        failing = failing_examples(knowledge.red_flags, knowledge.vocabulary, support / RED_FLAGS_FILE)
        if failing:
            raise KnowledgeErrors(failing)
        files = ", ".join(str(file) for file in find_article_files(path))
        drafts = sum(len(article.entries) for article in knowledge.articles if article.reviewed is None)
        note = f" ({drafts} in drafts, not served until reviewed)" if drafts else ""
        examples = sum(len(flag.examples) + len(flag.near_misses) for flag in knowledge.red_flags)
        print(f"ok: {len(knowledge.entries)} entries{note}, {len(knowledge.red_flags)} red flags "
              f"({examples} examples pass) in {files}")
    return 0


def command_eval(args: argparse.Namespace, config: Config) -> int:
    responder = build_responder(config)
    path = Path(args.file)
    cases = load_cases(path)
    check_expectations(cases, set(responder.knowledge.entries),
                       {flag.id for flag in responder.knowledge.red_flags}, path)
    report = evaluate(responder, cases)
    print(f"{path}: {sum(len(run) for run in cases)} messages")
    print("\n".join(report.lines()))
    bounds = [
        ("correct", report.correct, args.min_correct, True),
        ("urgent recall", report.urgent_recall, args.min_urgent_recall, True),
        ("smalltalk", report.smalltalk, args.min_smalltalk, True),
        ("wrong", report.wrong, args.max_wrong, False),
        ("out-of-scope answered", report.out_of_scope_answered, args.max_out_of_scope_answered, False),
        ("false urgent", report.false_urgent, args.max_false_urgent, False),
        ("disclaimer missing", report.missing_disclaimer, 0.0, False),
    ]
    missed = []
    for name, (done, total), bound, is_minimum in bounds:
        if bound is None or not total:
            continue
        share = 100 * done / total
        if (share < bound) if is_minimum else (share > bound):
            missed.append(f"{name} {share:.1f}% is {'below' if is_minimum else 'above'} {bound}%")
    for line in missed:
        print(f"missed: {line}")
    return 1 if missed else 0


def command_draft(args: argparse.Namespace, config: Config) -> int:
    source = Path(args.article)
    try:
        text = decode(source.read_bytes())
    except OSError as error:
        raise KnowledgeError(f"cannot read the article ({error.strerror})", source,
                             fix="check the path") from None
    draft = draft_article(text, load_knowledge(config.knowledge_path).vocabulary)
    notes: dict[str, str] = {}
    reviewed = None
    if args.merge:
        existing = Path(args.merge)
        draft, notes, reviewed = merge(draft, existing.read_text(encoding="utf-8"), existing)
    output = render(draft, source.name, notes, reviewed)
    target = Path(args.output) if args.output else (Path(args.merge) if args.merge else None)
    check_draft(output, target or source.with_suffix(".yaml"))
    if target is None:
        sys.stdout.write(output)
    else:
        target.write_text(output, encoding="utf-8")
    report = [f"{source}: {draft.fmt}, title {draft.title!r}, {len(draft.sections)} sections: "
              + "; ".join(draft.sections),
              f"removed {len(draft.removed)} boilerplate blocks"
              + (": " + "; ".join(item[:50] for item in draft.removed) if draft.removed else ""),
              "the article's disclaimer was recognised and left out: " + draft.disclaimer[:100]
              if draft.disclaimer else "no disclaimer found in the article"]
    report += [f"review {entry_id}: {note}" for entry_id, note in notes.items()]
    if target is not None:
        report.append(f"wrote {target}; it passes check; review it, then set `reviewed`")
    print("\n".join(report), file=sys.stderr)
    return 0


def check_draft(text: str, path: Path) -> None:
    """A draft must pass the same checks as any knowledge file."""
    article, errors = parse_article(parse_yaml(text, path, KnowledgeError), path)
    if article is not None:
        check_across_files([article], errors)
    if errors:
        raise KnowledgeErrors(errors)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--config", type=Path, help="config file (default: config.yaml if present)")
    parser.add_argument("--debug", action="store_true",
                        help="log at DEBUG and show the traceback of an unexpected error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the Telegram bot (terminal chat without a token)")
    commands.add_parser("chat", help="chat with the bot in this terminal")
    ask = commands.add_parser("ask", help="print the reply to one message")
    ask.add_argument("--json", action="store_true", help="one JSON object per message")
    ask.add_argument("--conversation", action="store_true",
                     help="with -: read the lines as one person's conversation, in order")
    ask.add_argument("text", nargs="+", help="the message, or - for one message per line of stdin")
    check = commands.add_parser("check", help="validate knowledge files or folders")
    check.add_argument("paths", nargs="*", help="default: the configured knowledge path")
    evaluation = commands.add_parser("eval", help="score the bot on an evaluation file")
    evaluation.add_argument("file", help="a YAML file of cases, like ../shared/eval/dev.yaml")
    draft = commands.add_parser("draft", help="draft a knowledge file from an article")
    draft.add_argument("article", help="the article: plain text, Markdown or HTML")
    draft.add_argument("-o", "--output", help="where to write the draft (default: standard output)")
    draft.add_argument("--merge", metavar="EXISTING",
                       help="update this knowledge file, keeping the editor's work (written in place "
                            "unless -o is given)")
    report = commands.add_parser("report", help="unanswered questions, feedback and counts")
    report.add_argument("--since", type=int, default=30, metavar="DAYS", help="days back (default 30)")
    report.add_argument("--format", choices=sorted(FORMATS), default="text", help="default: text")
    for flag, meaning in (("--min-correct", "correct share of in-scope cases"),
                          ("--max-wrong", "wrong answers, share of in-scope cases"),
                          ("--max-out-of-scope-answered", "answered out-of-scope cases, share"),
                          ("--min-urgent-recall", "urgent cases caught, share"),
                          ("--max-false-urgent", "urgent replies to other cases, share"),
                          ("--min-smalltalk", "small talk recognised, share")):
        evaluation.add_argument(flag, type=float, metavar="PCT", help=f"exit 1 past this bound: {meaning}")
    return parser


COMMANDS = {"run": command_run, "chat": command_chat, "ask": command_ask,
            "check": command_check, "eval": command_eval, "report": command_report,
            "draft": command_draft}


def configure_logging(level: str) -> None:
    """Log at `level`, but never the token or people's messages, whatever the level."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # python-telegram-bot logs whole API calls, message text included, at DEBUG.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        config = load_config(args.config)
        configure_logging("DEBUG" if args.debug else config.log_level)
        return COMMANDS[args.command](args, config)
    except BotError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # noqa: BLE001 - one line, never a traceback, unless asked for
        if args.debug:
            raise
        print(without_token(f"{type(error).__name__}: {error}. Run with --debug for the details."),
              file=sys.stderr)
        return 2


def without_token(text: str) -> str:
    """The text with the bot token, if set, blanked out: an error message may quote it."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    return text.replace(token, "<token>") if token else text
