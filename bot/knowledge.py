"""Loading and validating the knowledge folder: articles' entries, vocabulary, red flags, small talk."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, TypeVar

from .errors import KnowledgeError, KnowledgeErrors
from .safety import RedFlags, parse_red_flags
from .scope import Scope, parse_scope
from .smalltalk import SmallTalk, parse_smalltalk
from .vocabulary import (ALL_KEYS, ARTICLE_KEYS, ARTICLE_VOCABULARY_SUFFIX, Vocabulary, combine_vocabularies,
                         parse_vocabulary, split_words)
from .yamlfile import Checker, Mapping, Sequence, load_yaml

TOPICS = {
    "about": "About",
    "symptoms": "Symptoms",
    "causes": "Causes",
    "treatment": "Treatment & prevention",
    "see-a-doctor": "When to see a doctor",
}
VOCABULARY_FILE = "vocabulary.yaml"
RED_FLAGS_FILE = "red-flags.yaml"
SMALLTALK_FILE = "smalltalk.yaml"
# Optional: what the articles do not cover.
NOT_COVERED_FILE = "not-covered.yaml"
# Files in the knowledge folder that are not articles.
SUPPORT_FILES = (VOCABULARY_FILE, RED_FLAGS_FILE, SMALLTALK_FILE, NOT_COVERED_FILE)
T = TypeVar("T")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Telegram's button data is at most 64 bytes and carries a version and an action besides the id,
# or a topic and the article's file name.
MAX_ID_LENGTH = 48
MAX_FILE_NAME = 40


@dataclass(frozen=True)
class Entry:
    """One question/answer pair; `questions` are the ways people ask it, `examples` whole messages
    people sent that it answers (stories, letters), and `follow_ups` what people ask next, after
    another entry's answer, meaning this one (after "causes": "and how do i stop it"). Examples
    and follow-ups teach the intent model."""

    id: str
    topic: str
    questions: tuple[str, ...]
    answer: str
    related: tuple[str, ...]
    source: str
    title: str
    path: Path
    line: int
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    question_lines: tuple[int, ...] = field(default=(), compare=False, repr=False)
    examples: tuple[str, ...] = field(default=(), compare=False, repr=False)
    follow_ups: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)  # (after, text)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@dataclass(frozen=True)
class Article:
    """One knowledge file: the entries split from one source article."""

    title: str
    source_title: str
    covers: str
    reviewed: datetime.date | None
    entries: tuple[Entry, ...]
    path: Path
    # The article's own words, from `<article>.vocabulary.yaml` beside it (empty without one).
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    @property
    def key(self) -> str:
        """A short, stable name for the article: its file name without .yaml."""
        return self.path.stem


@dataclass(frozen=True)
class Knowledge:
    articles: tuple[Article, ...]
    vocabulary: Vocabulary
    red_flags: RedFlags
    smalltalk: SmallTalk
    scope: Scope = Scope()
    entries: dict[str, Entry] = field(init=False)

    def __post_init__(self) -> None:
        entries = {entry.id: entry for article in self.articles for entry in article.entries}
        object.__setattr__(self, "entries", entries)

    def entries_of_topic(self, topic: str, article: str | None = None) -> list[Entry]:
        """The entries of a topic, across articles or in the article with that key."""
        return [entry for entry in self.entries.values()
                if entry.topic == topic and (article is None or entry.path.stem == article)]

    def article(self, key: str) -> Article | None:
        return next((article for article in self.articles if article.key == key), None)


def _title_from_question(question: str) -> str:
    title = re.sub(r"\bi\b", "I", question[:1].upper() + question[1:])
    return title if title.endswith("?") else f"{title}?"


def parse_article(data: object, path: Path) -> tuple[Article | None, list[KnowledgeError]]:
    checker = Checker(path, KnowledgeError)
    root = checker.mapping(data, 1, "the knowledge file")
    if root is None:
        return None, checker.errors  # type: ignore[return-value]
    checker.keys(root, {"title", "source", "reviewed", "entries"}, set(), "the knowledge file")
    title = checker.text(root, "title", "the knowledge file") or path.stem
    source_title, covers = "", ""
    source = checker.mapping(root.get("source"), root.line_of("source"), "`source`")
    if source is not None:
        checker.keys(source, {"title", "covers"}, set(), "`source`")
        source_title = checker.text(source, "title", "`source`") or ""
        covers = checker.text(source, "covers", "`source`") or ""
    reviewed = root.get("reviewed")
    if reviewed is not None and not isinstance(reviewed, datetime.date):
        checker.fail("`reviewed` should be a date like 2026-11-24 (or null for a draft)",
                     root.line_of("reviewed"), "write `reviewed: YYYY-MM-DD`")
        reviewed = None
    items = root.get("entries")
    entries: list[Entry] = []
    if not isinstance(items, Sequence) or not items:
        checker.fail("`entries` should be a non-empty list", root.line_of("entries"),
                     "list the entries as `- id: ...` items")
        items = Sequence()
    for index, item in enumerate(items):
        entry = checker.mapping(item, items.line_of(index), f"entry {index + 1}")
        if entry is None:
            continue
        checker.keys(entry, {"id", "topic", "questions", "answer", "source"},
                     {"related", "title", "details", "source_digest", "examples", "follow_ups"},
                     f"entry {index + 1}")
        entry_id = checker.text(entry, "id", f"entry {index + 1}") or ""
        what = f"entry {entry_id!r}" if entry_id else f"entry {index + 1}"
        if entry_id and not _ID.match(entry_id):
            checker.fail(f"the id {entry_id!r} should be lowercase words joined by hyphens",
                         entry.line_of("id"), "write it like `cause-nerve`")
        if len(entry_id) > MAX_ID_LENGTH:
            checker.fail(f"the id {entry_id!r} is longer than {MAX_ID_LENGTH} characters",
                         entry.line_of("id"), "shorten it")
        topic = checker.text(entry, "topic", what) or ""
        if topic and topic not in TOPICS:
            checker.fail(f"{what} has the unknown topic {topic!r}", entry.line_of("topic"),
                         f"use one of: {', '.join(TOPICS)}")
        questions = checker.text_list(entry, "questions", what, 1)
        answer = checker.text(entry, "answer", what) or ""
        related = checker.text_list(entry, "related", what)
        examples = checker.text_list(entry, "examples", what)
        follow_ups = _parse_follow_ups(checker, entry, what)
        source_section = checker.text(entry, "source", what) or ""
        entry_title = checker.text(entry, "title", what, required=False)
        # An entry with other mistakes still holds its id, so links to it are not reported as well.
        if entry_id:
            entries.append(Entry(
                id=entry_id, topic=topic, questions=tuple(questions), answer=" ".join(answer.split()),
                related=tuple(related), source=source_section,
                title=entry_title or _title_from_question(questions[0] if questions else entry_id), path=path, line=entry.line,
                key_lines=dict(entry.key_lines), question_lines=_item_lines(entry, "questions"),
                examples=tuple(examples), follow_ups=follow_ups))
    article = Article(title, source_title, covers, reviewed, tuple(entries), path)
    return article, checker.errors  # type: ignore[return-value]


def _parse_follow_ups(checker: Checker, entry: Mapping, what: str) -> tuple[tuple[str, str], ...]:
    """`follow_ups: {causes: [and how do i stop it, ...]}`: after the entry named, these mean this one."""
    if entry.get("follow_ups") is None:
        return ()
    table = checker.mapping(entry.get("follow_ups"), entry.line_of("follow_ups"), f"`follow_ups` of {what}")
    if table is None:
        return ()
    return tuple((str(after), text) for after in table
                 for text in checker.text_list(table, after, f"`follow_ups` of {what}"))


def _item_lines(entry: Mapping, key: str) -> tuple[int, ...]:
    items = entry.get(key)
    return tuple(items.item_lines) if isinstance(items, Sequence) else ()


ARTICLE, VOCABULARY, ARTICLE_VOCABULARY, RED_FLAGS, SMALLTALK, NOT_COVERED = (
    "article", "vocabulary", "article vocabulary", "red flags", "small talk", "not-covered")
_KIND_OF_NAME = {VOCABULARY_FILE: VOCABULARY, RED_FLAGS_FILE: RED_FLAGS, SMALLTALK_FILE: SMALLTALK,
                 NOT_COVERED_FILE: NOT_COVERED}


def kind_of_file(path: Path, data: object) -> str:
    """What a knowledge file holds, told by its content (its top keys), else by its name."""
    keys = set(data) if isinstance(data, dict) else set()
    if "red_flags" in keys:
        return RED_FLAGS
    if "smalltalk" in keys:
        return SMALLTALK
    if "not_covered" in keys:
        return NOT_COVERED
    if keys & {"entries", "title", "source", "reviewed"}:
        return ARTICLE
    if keys and keys <= ALL_KEYS:
        return ARTICLE_VOCABULARY if is_article_vocabulary(path) or keys <= ARTICLE_KEYS else VOCABULARY
    if is_article_vocabulary(path):
        return ARTICLE_VOCABULARY
    return _KIND_OF_NAME.get(path.name, ARTICLE)


def check_support_file(path: Path, data: object, kind: str) -> str:
    """Validate one vocabulary, red flags, small talk or not-covered file; a summary line when right."""
    if kind == RED_FLAGS:
        flags, errors = parse_red_flags(data, path)
        summary = f"{len(flags)} red flags"
    elif kind == SMALLTALK:
        smalltalk, errors = parse_smalltalk(data, path)
        summary = f"{len(smalltalk.intents)} small talk intents"
    elif kind == NOT_COVERED:
        scope, errors = parse_scope(data, path)
        summary = f"{len(scope.uncovered)} topics not covered"
    else:
        vocabulary, errors = parse_vocabulary(data, path, ARTICLE_KEYS if kind == ARTICLE_VOCABULARY else ALL_KEYS)
        summary = f"{len(vocabulary.synonyms)} synonyms"
    if errors:
        raise KnowledgeErrors(errors)
    return f"ok: {kind} file, {summary}"


def check_against(articles: list[Article], others: list[Article]) -> None:
    """Ids and questions of `articles` must not clash with those of the other files (`others`
    first, so a clash is reported in the file being checked, naming the other file)."""
    errors: list[KnowledgeError] = []
    check_across_files([*others, *articles], errors)
    paths = {article.path for article in articles}
    found = [error for error in errors if error.path in paths and "lists the related id" not in error.message]
    if found:
        raise KnowledgeErrors(found)


def parse_article_files(folder: Path) -> list[Article]:
    """The articles of a folder as far as they parse, for comparing another file with them."""
    articles = []
    for path in find_article_files(folder) if folder.is_dir() else []:
        try:
            article, _ = parse_article(load_yaml(path, KnowledgeError), path)
        except KnowledgeError:
            continue
        if article is not None:
            articles.append(article)
    return articles


def knowledge_folder(knowledge_path: Path) -> Path:
    """The folder of a knowledge path, which may name a folder or a single file."""
    return knowledge_path if knowledge_path.is_dir() else knowledge_path.parent


def find_article_files(knowledge_path: Path) -> list[Path]:
    """Every knowledge file under the path; a single file may be named directly."""
    if knowledge_path.is_file():
        return [knowledge_path]
    return sorted(path for path in knowledge_path.glob("*.yaml")
                  if path.name not in SUPPORT_FILES and not is_article_vocabulary(path))


def knowledge_files(knowledge_path: Path) -> set[Path]:
    """Every file the knowledge is read from: articles, their own vocabularies, support files."""
    folder = knowledge_folder(knowledge_path)
    articles = find_article_files(knowledge_path)
    return ({*articles, *(article_vocabulary_path(path) for path in articles),
             *folder.glob("*" + ARTICLE_VOCABULARY_SUFFIX), *(folder / name for name in SUPPORT_FILES)})


def is_article_vocabulary(path: Path) -> bool:
    return path.name.endswith(ARTICLE_VOCABULARY_SUFFIX)


def article_vocabulary_path(article_path: Path) -> Path:
    """Where an article's own words live: `heel-pain.yaml` -> `heel-pain.vocabulary.yaml`."""
    return article_path.with_name(article_path.stem + ARTICLE_VOCABULARY_SUFFIX)


def load_article_vocabulary(article_path: Path, errors: list[KnowledgeError]) -> Vocabulary:
    path = article_vocabulary_path(article_path)
    if not path.exists():
        return Vocabulary()
    try:
        data = load_yaml(path, KnowledgeError)
    except KnowledgeError as error:
        errors.append(error)
        return Vocabulary(path=path)
    vocabulary, found = parse_vocabulary(data, path, ARTICLE_KEYS)
    errors.extend(found)
    return vocabulary


def find_orphan_vocabularies(knowledge_path: Path) -> list[KnowledgeError]:
    """An article's vocabulary file with no article beside it is a misnamed file, not nothing."""
    if not knowledge_path.is_dir():
        return []
    return [KnowledgeError(f"there is no article {path.name[:-len(ARTICLE_VOCABULARY_SUFFIX)]}.yaml "
                           "beside this vocabulary file", path,
                           fix="name it after its article, like heel-pain.vocabulary.yaml beside heel-pain.yaml")
            for path in sorted(knowledge_path.glob("*" + ARTICLE_VOCABULARY_SUFFIX))
            if not path.with_name(path.name[:-len(ARTICLE_VOCABULARY_SUFFIX)] + ".yaml").exists()]


def check_across_files(articles: list[Article], errors: list[KnowledgeError]) -> None:
    """Checks that need every entry at once: unique ids, unique phrasings, related ids exist."""
    owners: dict[str, Entry] = {}
    seen_ids: dict[str, Entry] = {}
    for article in articles:
        for entry in article.entries:
            if entry.id in seen_ids:
                first = seen_ids[entry.id]
                errors.append(KnowledgeError(
                    f"the id {entry.id!r} is already used at {first.path}:{first.line_of('id')}",
                    entry.path, entry.line_of("id"),
                    fix="give one of them another id" if first.path == entry.path else
                    f"give this one another id, e.g. `{entry.path.stem}-{entry.id}`"))
            seen_ids.setdefault(entry.id, entry)
            for index, question in enumerate(entry.questions):
                key = " ".join(split_words(question))
                owner = owners.setdefault(key, entry)
                if owner is not entry:
                    line = entry.question_lines[index] if index < len(entry.question_lines) else entry.line
                    where = "" if owner.path == entry.path else f" (in {owner.path})"
                    errors.append(KnowledgeError(
                        f"the question {question!r} is under both {owner.id!r}{where} and {entry.id!r}",
                        entry.path, line, fix="keep it under one entry"))
    for article in articles:
        for entry in article.entries:
            for after in dict.fromkeys(after for after, _ in entry.follow_ups):
                if after not in seen_ids:
                    errors.append(KnowledgeError(
                        f"{entry.id!r} lists follow-ups after {after!r}, which does not exist",
                        entry.path, entry.line_of("follow_ups"), fix="correct the id or remove its follow-ups"))
            for related in entry.related:
                if related not in seen_ids:
                    errors.append(KnowledgeError(
                        f"{entry.id!r} lists the related id {related!r}, which does not exist",
                        entry.path, entry.line_of("related"), fix="correct the id or remove it from `related`"))
                elif related == entry.id:
                    errors.append(KnowledgeError(
                        f"{entry.id!r} lists itself as related", entry.path, entry.line_of("related"),
                        fix="remove it from `related`"))


def load_knowledge(knowledge_path: Path, support_folder: Path | None = None,
                   include_drafts: bool = False) -> Knowledge:
    """Load and validate everything; raises KnowledgeErrors listing every problem found.

    The vocabulary, red flags and small talk come from `support_folder`, by default the
    knowledge folder itself. Drafts (`reviewed: null`) are checked like any file but left out
    unless `include_drafts`: a health bot serves only reviewed answers.
    """
    errors: list[KnowledgeError] = []
    folder = support_folder or knowledge_folder(knowledge_path)
    if not knowledge_path.exists():
        raise KnowledgeErrors([KnowledgeError(
            "the knowledge path does not exist", knowledge_path,
            fix="point `knowledge_path` in the config at the knowledge folder")])

    def load_support(name: str, parse: Callable[[object, Path], tuple[T, list[KnowledgeError]]]) -> T:
        path = folder / name
        try:
            data = load_yaml(path, KnowledgeError)
        except KnowledgeError as error:
            errors.append(error)
            return parse(None, path)[0]
        parsed, found = parse(data, path)
        errors.extend(found)
        return parsed

    vocabulary = load_support(VOCABULARY_FILE, parse_vocabulary)
    red_flags = load_support(RED_FLAGS_FILE, parse_red_flags)
    smalltalk = load_support(SMALLTALK_FILE, parse_smalltalk)
    scope = load_support(NOT_COVERED_FILE, parse_scope) if (folder / NOT_COVERED_FILE).exists() else Scope()
    articles: list[Article] = []
    files = find_article_files(knowledge_path)
    if not files:
        errors.append(KnowledgeError("no knowledge files (*.yaml with entries) were found",
                                     knowledge_path, fix="add one, e.g. with `python -m bot draft`"))
    for path in files:
        if len(path.stem.encode()) > MAX_FILE_NAME and knowledge_path.is_dir():
            errors.append(KnowledgeError(f"the file name is longer than {MAX_FILE_NAME} characters",
                                         path, fix="rename the file to something shorter"))
            continue
        try:
            data = load_yaml(path, KnowledgeError)
        except KnowledgeError as error:
            errors.append(error)
            continue
        kind = kind_of_file(path, data)
        if kind != ARTICLE and knowledge_path.is_dir():
            name = {kind: name for name, kind in _KIND_OF_NAME.items()}.get(
                kind, f"<article>{ARTICLE_VOCABULARY_SUFFIX}")
            errors.append(KnowledgeError(f"this is a {kind} file, not an article, and only {name} is read as one",
                                         path, 1, fix=f"rename it to {name} or move it out of the folder"))
            continue
        article, found = parse_article(data, path)
        errors.extend(found)
        if article is not None:
            articles.append(replace(article, vocabulary=load_article_vocabulary(path, errors)))
    errors.extend(find_orphan_vocabularies(knowledge_path))
    check_across_files(articles, errors)
    errors.extend(combine_vocabularies(vocabulary, [article.vocabulary for article in articles])[1])
    served = [article for article in articles if include_drafts or article.reviewed is not None]
    if articles and not served:
        errors.append(KnowledgeError("every knowledge file is a draft (`reviewed: null`), so there is "
                                     "nothing to answer with", knowledge_path,
                                     fix="review a file and set `reviewed: YYYY-MM-DD`"))
    if errors:
        raise KnowledgeErrors(errors)
    combined, _ = combine_vocabularies(vocabulary, [article.vocabulary for article in served])
    return Knowledge(tuple(_without_links_to(served, articles)), combined, red_flags, smalltalk, scope)


def _without_links_to(served: list[Article], articles: list[Article]) -> list[Article]:
    """The served articles, their `related` links to drafts left out."""
    if len(served) == len(articles):
        return served
    known = {entry.id for article in served for entry in article.entries}
    return [replace(article, entries=tuple(
        replace(entry, related=tuple(r for r in entry.related if r in known)) for entry in article.entries))
        for article in served]
