"""Reading YAML with the line of every key and item, so errors can point editors at a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import BotError


class Mapping(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class Sequence(list):
    """A YAML sequence that remembers its own line and the line of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _BadValue(yaml.constructor.ConstructorError):
    """A value that looks like a date or number but is none (2026-02-30)."""


def _fail(message: str, mark: yaml.Mark) -> yaml.MarkedYAMLError:
    return yaml.constructor.ConstructorError(None, None, message, mark)


def _build(text: str) -> Any:
    """Build Mapping, Sequence and scalar values straight from the parser's events.

    Building from events, not from PyYAML's node graph, keeps memory to the values themselves:
    a node graph of a large knowledge file costs several times the file. libyaml parses when
    it is installed (many times faster than pure Python).
    """
    loader = _Loader(text)
    try:
        anchors: dict[str, Any] = {}
        stack: list[tuple[Any, list[Any]]] = []  # (container, pending key for a mapping)
        document: Any = None
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                container: Any = Mapping() if isinstance(event, yaml.MappingStartEvent) else Sequence()
                container.line = event.start_mark.line + 1
                if isinstance(container, Mapping):
                    container.key_lines = {}
                else:
                    container.item_lines = []
                value, line = container, event.start_mark.line + 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                value, _ = stack.pop()
                if not stack:
                    document = value
                continue
            elif isinstance(event, yaml.ScalarEvent):
                tag = event.tag if event.tag not in (None, "!") else loader.resolve(
                    yaml.ScalarNode, event.value, event.implicit)
                node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
                constructor = loader.yaml_constructors.get(tag)
                if constructor is None:
                    raise _fail(f"the tag {tag} is not supported", event.start_mark)
                try:
                    value = constructor(loader, node)
                except (ValueError, TypeError, OverflowError) as exc:
                    # A value that looks like a date, number or binary but is none: 2026-02-30.
                    raise _BadValue(None, None, f"{event.value!r} is not a valid value ({exc})",
                                    event.start_mark) from None
                line = event.start_mark.line + 1
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise _fail(f"the anchor {event.anchor!r} is not defined", event.start_mark)
                value, line = anchors[event.anchor], event.start_mark.line + 1
            else:
                continue
            if getattr(event, "anchor", None) and not isinstance(event, yaml.AliasEvent):
                anchors[event.anchor] = value
            if not stack:
                document = value
            else:
                parent, pending = stack[-1]
                if isinstance(parent, Sequence):
                    parent.append(value)
                    parent.item_lines.append(line)
                elif not pending:
                    try:
                        hash(value)
                    except TypeError:
                        raise _fail("a key must be a plain value", event.start_mark) from None
                    if value in parent:
                        raise _fail(f"the key {value!r} appears twice", event.start_mark)
                    pending.append(value)
                    parent.key_lines[value] = line
                else:
                    parent[pending.pop()] = value
            if isinstance(value, (Mapping, Sequence)) and isinstance(event, (yaml.MappingStartEvent,
                                                                            yaml.SequenceStartEvent)):
                stack.append((value, []))
        return document
    finally:
        loader.dispose()


# How binary files start: PDF, Word (docx and the older doc), zip, images.
_BINARY_STARTS = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


def is_binary(data: bytes) -> bool:
    """Binary data (a PDF, a Word document, an image), not text."""
    return data.startswith(_BINARY_STARTS) or b"\x00" in data[:8192]


def read_text_file(path: Path, error: Callable[..., BotError], what: str = "file") -> str:
    """A text file's contents; anything else raises `error` with one line saying what is wrong."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"the {what} does not exist", path, fix="create it or correct the path") from None
    except IsADirectoryError:
        raise error("this is a folder, not a file", path, fix="name a file") from None
    except OSError as exc:
        raise error(f"cannot read the {what} ({exc.strerror})", path, fix="check its permissions") from None
    if is_binary(data):
        raise error(f"the {what} is binary data (a PDF, Word document or image?), not text", path,
                    fix="save or export it as plain text, Markdown or HTML") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"the {what} is not UTF-8 text", path, fix="save it as UTF-8") from None


def load_yaml(path: Path, error: Callable[..., BotError]) -> Any:
    """Parse one YAML file; a missing file or bad syntax raises `error` naming file and line."""
    return parse_yaml(read_text_file(path, error), path, error)


def parse_yaml(text: str, path: Path, error: Callable[..., BotError]) -> Any:
    """Parse YAML text from `path`; bad syntax raises `error` naming the file and line."""
    try:
        return _build(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        if isinstance(exc, _BadValue):
            raise error(problem, path, line, fix="write a real value (a date as YYYY-MM-DD), or quote it "
                                                 "to keep it as text") from None
        raise error(f"invalid YAML: {problem}", path, line,
                    fix="check the indentation and quoting on that line") from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(getattr(exc, "reason", None) or exc).split())
        line = text.count("\n", 0, exc.position) + 1 if isinstance(getattr(exc, "position", None), int) else None
        raise error(f"invalid YAML: {problem}", path, line, fix="check the file's syntax") from None


def describe_type(value: Any) -> str:
    """Name a YAML value's type the way an editor thinks of it."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return type(value).__name__


class Checker:
    """Collects every problem in one file, so an editor sees all of them in one run."""

    def __init__(self, path: Path, error: Callable[..., BotError]) -> None:
        self.path = path
        self.error = error
        self.errors: list[BotError] = []

    def fail(self, message: str, line: int | None, fix: str) -> None:
        self.errors.append(self.error(message, self.path, line, fix=fix))

    def mapping(self, value: Any, line: int | None, what: str) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.fail(f"{what} should be a mapping of keys, not {describe_type(value)}", line,
                  f"write {what} as `key: value` lines")
        return None

    def keys(self, mapping: Mapping, required: set[str], optional: set[str], what: str) -> None:
        for key in mapping:
            if key not in required | optional:
                known = ", ".join(sorted(required | optional))
                self.fail(f"unknown key {key!r} in {what}", mapping.line_of(key),
                          f"remove it or use one of: {known}")
        for key in sorted(required - set(mapping)):
            self.fail(f"{what} is missing the key {key!r}", mapping.line, f"add `{key}:`")

    def text(self, mapping: Mapping, key: str, what: str, required: bool = True) -> str | None:
        value = mapping.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            if key in mapping or required:
                self.fail(f"{key!r} in {what} should be text, not {describe_type(value)}",
                          mapping.line_of(key), f"write `{key}: some text`")
            return None
        text = str(value).strip()
        if not text:
            self.fail(f"{key!r} in {what} is empty", mapping.line_of(key), f"write the {key}")
            return None
        return text

    def text_list(self, mapping: Mapping, key: str, what: str, minimum: int = 0) -> list[str]:
        value = mapping.get(key, [] if minimum == 0 else None)
        if not isinstance(value, list):
            self.fail(f"{key!r} in {what} should be a list, not {describe_type(value)}",
                      mapping.line_of(key), f"write `{key}: [first, second]` or one `- item` a line")
            return []
        items: list[str] = []
        for index, item in enumerate(value):
            line = value.line_of(index) if isinstance(value, Sequence) else mapping.line_of(key)
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
                self.fail(f"item {index + 1} of {key!r} in {what} should be non-empty text",
                          line, "write it as text or remove it")
                continue
            items.append(str(item).strip())
        if len(items) < minimum:
            self.fail(f"{key!r} in {what} has {len(items)} items, at least {minimum} are needed",
                      mapping.line_of(key), f"add {minimum - len(items)} more")
        return items
