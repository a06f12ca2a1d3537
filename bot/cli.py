"""`python -m bot`: run, chat, ask, eval, check, report, draft, backup and health.

Errors print one line each, exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

from dotenv import load_dotenv

from .config import TOKEN_VARIABLE, Config, load_config, read_token
from .conversation import Conversation
from .draft import decode, draft_article, merge, render
from .errors import BotError, ConfigError, KnowledgeError, KnowledgeErrors
from .evaluation import check_expectations, evaluate, load_cases
from .explanation import Explanation, ExplainingResponder, candidates_json, explain
from .knowledge import (ARTICLE, NOT_COVERED_FILE, RED_FLAGS, RED_FLAGS_FILE, VOCABULARY_FILE, Article, Knowledge,
                        check_across_files, check_against, check_support_file, find_article_files, kind_of_file,
                        knowledge_folder, load_knowledge, parse_article, parse_article_files)
from .logs import configure_logging
from .matcher import Matcher
from .report import FORMATS, load_report
from .responder import Reply, Responder
from .safety import parse_red_flags
from .store import KEY_VARIABLE, Store, backup_store
from .terminal import choices_of, render_text, run_chat
from .triage import Triage, failing_examples
from .yamlfile import is_binary, load_yaml, parse_yaml, read_text_file


def build_responder(config: Config) -> Responder:
    return Responder(load_knowledge(config.knowledge_path), config)


def reply_json(explanation: Explanation) -> str:
    """The stable contract of `ask --json`: one object a message, in this shape; `candidates`
    are the best entries with the matcher's figures, for any kind of reply."""
    reply = explanation.reply
    return json.dumps({
        "kind": reply.kind,
        "id": reply.entry_id,
        "ids": list(reply.entry_ids),
        "score": round(reply.score, 4),
        "suggestions": [suggestion.entry_id for suggestion in reply.suggestions],
        "text": reply.text,
        "candidates": candidates_json(explanation.match),
    }, ensure_ascii=False)


def command_ask(args: argparse.Namespace, config: Config) -> int:
    responder = build_responder(config)

    def show(text: str, conversation: Conversation | None) -> tuple[Reply, str]:
        if args.json:
            explanation = explain(responder, text, conversation)
            return explanation.reply, reply_json(explanation)
        reply = responder.respond(text, conversation)
        return reply, render_text(reply, choices_of(reply, responder))

    if args.text == ["-"]:
        # Each line stands alone, unless --conversation reads them as one person's chat.
        conversation = Conversation()
        for line in sys.stdin:
            reply, shown = show(line.rstrip("\n"), conversation if args.conversation else None)
            conversation = reply.conversation
            print(shown + ("" if args.json else "\n"), flush=True)
        return 0
    print(show(" ".join(args.text), None)[1])
    return 0


def command_chat(args: argparse.Namespace, config: Config) -> int:
    if args.explain:
        run_chat(ExplainingResponder(load_knowledge(config.knowledge_path), config, print), input, print)
    else:
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
        raise ConfigError("there is no store yet. Only the Telegram bot records what people ask; the "
                          "terminal chat (`chat`, `ask`, or `run` without a token) records nothing",
                          config.store_path, fix=f"run the Telegram bot (`run` with {TOKEN_VARIABLE} set) "
                          "with `store.enabled: true`, or point `store.path` at its database")
    store = open_store(config)
    try:
        report = load_report(store, build_responder(config), args.since)
    finally:
        store.close()
    print(FORMATS[args.format](report))
    return 0


def command_backup(args: argparse.Namespace, config: Config) -> int:
    backup = backup_store(config.store_path, Path(args.dest))
    print(f"backed up {backup.rows['outcomes']} outcomes and {backup.rows['feedback']} votes to "
          f"{backup.database}, and the key that hashes user ids to {backup.key}. Keep the two "
          "together; to restore, stop the bot and copy both into the folder of `store.path`.")
    return 0


def command_health(args: argparse.Namespace, config: Config) -> int:
    """The container's health check: asks the running bot's /healthz; exit 0 alive, 1 not."""
    settings = config.monitoring
    if not settings.port:
        raise ConfigError("`monitoring.port` is 0, so the bot serves no /healthz to ask", config.path,
                          fix="set `monitoring.port` (e.g. 9090) in the config file")
    host = "127.0.0.1" if settings.listen in ("0.0.0.0", "") else "::1" if settings.listen == "::" \
        else settings.listen
    url = f"http://{'[' + host + ']' if ':' in host else host}:{settings.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            print(response.read().decode().strip())
            return 0
    except urllib.error.HTTPError as error:
        print(error.read().decode().strip() or f"{url}: HTTP {error.code}")
    except (OSError, ValueError) as error:
        print(f"not alive: no answer from {url} ({getattr(error, 'reason', error)})")
    return 1


def command_check(args: argparse.Namespace, config: Config) -> int:
    if not args.paths:
        print(check_folder(config.knowledge_path, config))
        return 0
    for given in args.paths:
        path = Path(given)
        if not path.exists():
            raise KnowledgeError("this path does not exist", path, fix="check the path given to `check`")
        print(check_folder(path, config) if path.is_dir() else check_file(path, config))
    return 0


def check_folder(path: Path, config: Config) -> str:
    """A knowledge folder (or the configured path): every file and every check across them."""
    # A folder without its own vocabulary is checked against the configured support files.
    support = path if (knowledge_folder(path) / VOCABULARY_FILE).exists() else knowledge_folder(config.knowledge_path)
    knowledge = load_knowledge(path, support, include_drafts=True)
    # Each red flag's examples must raise it and its near misses must not: rules and examples
    # are reviewed together.
    failing = failing_examples(Triage(knowledge), support / RED_FLAGS_FILE)
    if failing:
        raise KnowledgeErrors(failing)
    files = ", ".join(str(file) for file in find_article_files(path))
    drafts = sum(len(article.entries) for article in knowledge.articles if article.reviewed is None)
    note = f" ({drafts} in drafts, not served until reviewed)" if drafts else ""
    examples = (sum(len(flag.examples) + len(flag.near_misses) for flag in knowledge.red_flags)
                + len(knowledge.red_flags.calm_examples))
    warnings = [f"\nwarning: {line}"
                for line in same_reading_warnings(knowledge) + covered_topic_warnings(knowledge, support)]
    summary = (f"ok: {len(knowledge.entries)} entries{note}, {len(knowledge.red_flags)} red flags "
               f"({examples} examples pass) in {files}")
    return summary + "".join(warnings)


def same_reading_warnings(knowledge: Knowledge) -> list[str]:
    """Questions of two entries that the matcher reads alike: it cannot tell which is meant."""
    lines = []
    for first_id, first_index, second_id, second_index in Matcher(knowledge).same_readings():
        first, second = knowledge.entries[first_id], knowledge.entries[second_id]
        line = second.question_lines[second_index] if second_index < len(second.question_lines) else second.line
        lines.append(f"{second.path}:{line}: {second.questions[second_index]!r} ({second_id}) reads the same as "
                     f"{first.questions[first_index]!r} ({first_id}) once typos, synonyms and little words are "
                     "set aside. Fix: reword one so the entries differ")
    return lines


def covered_topic_warnings(knowledge: Knowledge, support: Path) -> list[str]:
    """Topics of not-covered.yaml that an entry's question asks: the bot answers them instead."""
    questions = [question for entry in knowledge.entries.values() for question in entry.questions]
    return [f"{support / NOT_COVERED_FILE}: the topic {topic.topic!r} is answered, not declined: the question "
            f"{question!r} asks it. Fix: narrow the topic's `match` if the rest should still be declined"
            for topic, question in knowledge.scope.find_covered_topics(questions, knowledge.vocabulary)]


def check_file(path: Path, config: Config) -> str:
    """One file, told apart by its content: an article is also checked against the configured
    knowledge (ids and questions used twice name both files); a support file on its own."""
    data = load_yaml(path, KnowledgeError)
    kind = kind_of_file(path, data)
    if kind != ARTICLE:
        summary = check_support_file(path, data, kind)
        if kind == RED_FLAGS:
            # Its examples are read with the configured vocabulary, as the bot reads messages.
            configured = load_knowledge(config.knowledge_path, include_drafts=True)
            triage = Triage(replace(configured, red_flags=parse_red_flags(data, path)[0]))
            failing = failing_examples(triage, path)
            if failing:
                raise KnowledgeErrors(failing)
        return f"{summary} in {path}"
    folder = knowledge_folder(path)
    support = folder if (folder / VOCABULARY_FILE).exists() else knowledge_folder(config.knowledge_path)
    knowledge = load_knowledge(path, support, include_drafts=True)
    article = knowledge.articles[0]
    configured = knowledge_folder(config.knowledge_path)
    # A configured article of the same file name or title is the one this file is a version of.
    versions = [other for other in parse_article_files(configured)
                if other.path.resolve() == path.resolve() or other.path.name == path.name
                or other.title == article.title]
    others = [other for other in parse_article_files(configured) if other not in versions]
    check_against(list(knowledge.articles), others)
    drafts = " (a draft, not served until reviewed)" if article.reviewed is None else ""
    compared = f", no clash with the {len(others)} other articles in {configured}" if others else ""
    version = "".join(f", a version of {other.path}" for other in versions if other.path.resolve() != path.resolve())
    return f"ok: {len(knowledge.entries)} entries{drafts} in {path}{version}{compared}"


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
    text = read_article(source)
    existing = Path(args.merge) if args.merge else None
    # The merged file's own ids are no clash; nor are those of a configured file it is a copy of.
    old_title = read_title(existing) if existing is not None and existing.exists() else None
    others = [article for article in load_knowledge(config.knowledge_path, include_drafts=True).articles
              if existing is None or not existing.exists()
              or (article.path.resolve() != existing.resolve() and article.title != old_title)]
    knowledge = load_knowledge(config.knowledge_path)
    draft = draft_article(text, knowledge.vocabulary,
                          frozenset(entry.id for article in others for entry in article.entries),
                          frozenset(question for article in others for entry in article.entries
                                    for question in entry.questions))
    notes: dict[str, str] = {}
    reviewed = None
    if existing is not None:
        if not existing.exists():
            raise KnowledgeError("the file to merge into does not exist", existing,
                                 fix="correct the path, or use -o to write a new file")
        old_text = read_text_file(existing, KnowledgeError, "file to merge into")
        draft, notes, reviewed = merge(draft, old_text, existing)
    output = render(draft, source.name, notes, reviewed)
    target = Path(args.output) if args.output else existing
    check_draft(output, target or source.with_suffix(".yaml"), others)
    if target is None:
        sys.stdout.write(output)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target == existing:
            # The editor's file as it was, beside the merged one (its comments are not merged).
            existing.with_name(existing.name + ".bak").write_text(old_text, encoding="utf-8")
        target.write_text(output, encoding="utf-8")
    report = [f"{source}: {draft.fmt}, title {draft.title!r}, {len(draft.sections)} sections: "
              + "; ".join(draft.sections),
              f"removed {len(draft.removed)} boilerplate blocks"
              + (": " + "; ".join(item[:50] for item in draft.removed) if draft.removed else ""),
              "the article's disclaimer was recognised and left out: " + draft.disclaimer[:100]
              if draft.disclaimer else "no disclaimer found in the article"]
    report += [f"review {entry_id}: {note}" for entry_id, note in notes.items()]
    if target is not None:
        kept = f" (the previous version is in {existing.name}.bak)" if target == existing else ""
        report.append(f"wrote {target}{kept}; it passes check; review it, then set `reviewed`")
    print("\n".join(report), file=sys.stderr)
    return 0


def read_title(path: Path) -> str | None:
    """The title of a knowledge file, if it has one that can be read."""
    try:
        data = load_yaml(path, KnowledgeError)
    except KnowledgeError:
        return None
    return str(data.get("title")) if isinstance(data, dict) and data.get("title") else None


def read_article(path: Path) -> str:
    """An article's text in any of the encodings `decode` knows; not binary, not empty."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeError("the article does not exist", path, fix="check the path") from None
    except OSError as error:
        raise KnowledgeError(f"cannot read the article ({error.strerror})", path, fix="check the path") from None
    if is_binary(data):
        raise KnowledgeError("the article is binary data (a PDF, Word document or image?), not text", path,
                             fix="save or export it as plain text, Markdown or HTML first")
    text = decode(data)
    if not text.strip():
        raise KnowledgeError("the article is empty", path, fix="name the file that holds the article's text")
    return text


def check_draft(text: str, path: Path, others: list[Article]) -> None:
    """A draft must pass the same checks as any knowledge file, and not clash with the others."""
    article, errors = parse_article(parse_yaml(text, path, KnowledgeError), path)
    if article is not None:
        check_across_files([article], errors)
    if errors:
        raise KnowledgeErrors(errors)
    if article is not None:
        check_against([article], others)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--config", type=Path, help="config file (default: config.yaml if present)")
    parser.add_argument("--debug", action="store_true",
                        help="log at DEBUG and show the traceback of an unexpected error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the Telegram bot (terminal chat without a token)")
    chat = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--debug", dest="explain", action="store_true",
                      help="show before each reply the best entries, their scores and why")
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
    backup = commands.add_parser("backup", help="copy the store and its key, also while the bot runs")
    backup.add_argument("dest", metavar="DEST", help="folder for the copy (made if missing)")
    health = commands.add_parser("health", help="exit 0 when the running bot's /healthz says it is alive")
    health.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS", help="default: 5")
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
            "draft": command_draft, "backup": command_backup, "health": command_health}


def load_env_file(path: Path) -> None:
    """Secrets (TELEGRAM_BOT_TOKEN, BOT_PRIVACY_KEY) from a `.env` file; variables already set win."""
    try:
        load_dotenv(path, override=False)
    except OSError as error:
        raise ConfigError(f"cannot read it ({error.strerror})", path,
                          fix="make it readable by the user that runs the bot, or remove it") from None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        load_env_file(Path(".env"))
        config = load_config(args.config)
        configure_logging("DEBUG" if args.debug else config.log_level, config.log_format,
                          secrets=[os.environ.get(TOKEN_VARIABLE, ""), os.environ.get(KEY_VARIABLE, "")])
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
