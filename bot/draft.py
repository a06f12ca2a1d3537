"""Drafting a knowledge file from a health article: sections become entries for an editor to review.

The article may be plain text, Markdown or HTML (told apart by its content). Headings split it
into sections; each section becomes an entry whose question comes from the heading, whose answer
is the section's first few sentences, and whose phrasings include lay words from the vocabulary.
Comment forms, badges, share lines and editorial-policy bullets are dropped; the article's own
medical disclaimer is recognised and reported, never turned into an entry.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

from .errors import KnowledgeError
from .knowledge import MAX_ID_LENGTH
from .vocabulary import Vocabulary

HEADING, PARAGRAPH = "heading", "paragraph"
# A chat-sized answer: up to this many sentences and characters; the rest goes to `details`.
ANSWER_SENTENCES = 3
ANSWER_CHARACTERS = 420
QUESTIONS_PER_ENTRY = 8

_BOILERPLATE = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^leave a (comment|reply)", r"your email address will not be published",
    r"required fields are marked", r"^fact[ -]checked$", r"^(share|tweet|pin|email)( this)?( on \w+)?$",
    r"^(share|follow us)\b.*(facebook|twitter|pinterest|whatsapp|linkedin)",
    r"newsletter", r"^subscribe\b", r"^(related|recommended|popular) (posts|articles)",
    r"all content is reviewed by a medical professional", r"strict sourcing guidelines",
    r"if you feel that any of our content is inaccurate", r"^(advertisement|sponsored)$",
    r"^(previous|next) (post|article)", r"^(tags|categories|filed under):", r"cookie",
    r"^(posted|published|updated) (on|by)\b", r"^(comments?|reply)$", r"^name\s*\*?$",
    r"^email\s*\*?$", r"^website$", r"^post comment$", r"^\d+ comments?$",
)]
# Bylines and review lines: who wrote, reviewed or checked the article, and when. Short lines only,
# so a sentence that starts "By stretching..." stays.
_BYLINE = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^(written |words |article |story )?by [A-Z][\w.'-]*( [A-Z][\w.'-]*){0,4}\b",
    r"^(medically |clinically |expert |peer[- ])?(reviewed|fact[- ]checked|checked|edited|verified|approved)"
    r"( and \w+)? by\b",
    r"^(last )?(updated|reviewed|published|posted|modified)( on| in|:)? "
    r"(\w+ \d{1,2},? \d{4}|\d{1,2} \w+ \d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\.?$",
    r"^\d+ min(ute)?s? read$", r"^fact[- ]checked\b",
)]
_BYLINE_LENGTH = 120
_DISCLAIMER = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"for (educational|informational) purposes only", r"(is|are) not (a substitute|intended to replace)",
    r"(contact|consult|see) a (medical|health( ?care)?) professional", r"does not (provide|constitute) medical advice",
)]
_CLICK_HERE = re.compile(r"[^.!?]*\bclick here\b[^.!?]*[.!?]?\s*", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_HTML_HINT = re.compile(r"<\s*(html|body|h[1-6]|p|div|article|section|ul|li)\b[^>]*>", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_MARKDOWN_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")
_MARKDOWN_INLINE = [(re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
                    (re.compile(r"(\*\*|__|\*|_|`)(.+?)\1"), r"\2")]
_STOP = {"a", "an", "the", "of", "for", "to", "in", "on", "and", "or", "is", "are", "what", "how",
         "why", "when", "do", "does", "i", "you", "your", "my", "can", "with", "about", "be"}
_TOPIC_WORDS = (
    ("see-a-doctor", ("doctor", "emergency", "physician", "medical help", "when to see", "seek")),
    ("causes", ("cause", "caused", "causes", "reason", "trigger", "risk factor", "why")),
    ("symptoms", ("symptom", "sign", "indication", "feel", "diagnos")),
    ("treatment", ("treat", "relie", "prevent", "remed", "manage", "cure", "avoid", "therapy", "care", "caring",
                   "stop", "ease", "get rid")),
)


@dataclass
class Block:
    kind: str
    text: str
    level: int = 0


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Draft:
    title: str
    entries: list[dict]
    sections: list[str]
    removed: list[str]
    disclaimer: str | None
    fmt: str
    # Top-level keys of an editor's file that the draft does not make (kept by a merge).
    extra: dict = field(default_factory=dict)


def decode(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else Windows-1252, which covers Latin-1."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def detect_format(text: str) -> str:
    if len(_HTML_HINT.findall(text[:20000])) >= 2:
        return "html"
    lines = text.splitlines()
    if any(_MARKDOWN_HEADING.match(line) for line in lines) or any(
            set(line.strip()) in ({"="}, {"-"}) and index and lines[index - 1].strip()
            for index, line in enumerate(lines) if len(line.strip()) >= 3):
        return "markdown"
    return "text"


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


class _HTMLBlocks(HTMLParser):
    """Headings, paragraphs and list items of a page; scripts, navigation and forms are skipped."""

    _SKIP = {"head", "script", "style", "nav", "footer", "form", "aside", "noscript", "header", "button",
             "svg", "template"}
    _BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt", "td", "div"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._skipping = 0
        self._text: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS or tag == "br":
            self._flush()
            self._tag = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._text.append(data)

    def _flush(self) -> None:
        text = _clean("".join(self._text))
        self._text = []
        if text:
            if re.fullmatch(r"h[1-6]", self._tag):
                self.blocks.append(Block(HEADING, text, int(self._tag[1])))
            else:
                self.blocks.append(Block(PARAGRAPH, text))
        self._tag = ""

    def close(self) -> None:
        super().close()
        self._flush()


def _markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = _clean(" ".join(paragraph))
            for pattern, replacement in _MARKDOWN_INLINE:
                joined = pattern.sub(replacement, joined)
            blocks.append(Block(PARAGRAPH, joined))
            paragraph.clear()

    lines = text.splitlines()
    for index, line in enumerate(lines):
        heading = _MARKDOWN_HEADING.match(line)
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if heading:
            flush()
            blocks.append(Block(HEADING, _clean(heading.group(2)), len(heading.group(1))))
        elif line.strip() and len(following) >= 3 and set(following) in ({"="}, {"-"}):
            flush()
            blocks.append(Block(HEADING, _clean(line), 1 if following[0] == "=" else 2))
        elif set(line.strip()) in ({"="}, {"-"}) and len(line.strip()) >= 3:
            continue
        elif _MARKDOWN_BULLET.match(line):
            flush()
            paragraph.append(_MARKDOWN_BULLET.sub("", line))
            flush()
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    return blocks


def _looks_like_heading(line: str, first: bool) -> bool:
    """A short line of its own: a question, no final full stop, or Title Case."""
    words = line.split()
    if not words or len(line) > 90 or len(words) > 12:
        return False
    if line.endswith("?"):
        return True
    if line.endswith((".", ",", ";", ":", "!")):
        return False
    capitalised = sum(1 for word in words if word[:1].isupper())
    return first or len(words) <= 8 or capitalised >= len(words) * 0.6


def _text_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    chunks = [chunk for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if chunk.strip()]
    for index, chunk in enumerate(chunks):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if len(lines) == 1 and _looks_like_heading(lines[0], index == 0):
            blocks.append(Block(HEADING, _clean(lines[0]), 1 if index == 0 else 2))
        else:
            for line in lines if all(_MARKDOWN_BULLET.match(line) for line in lines) else [" ".join(lines)]:
                blocks.append(Block(PARAGRAPH, _clean(_MARKDOWN_BULLET.sub("", line))))
    return blocks


def read_blocks(text: str, fmt: str) -> list[Block]:
    if fmt == "html":
        parser = _HTMLBlocks()
        parser.feed(text)
        parser.close()
        return parser.blocks
    return _markdown_blocks(text) if fmt == "markdown" else _text_blocks(text)


def _is_boilerplate(text: str) -> bool:
    if len(text) <= _BYLINE_LENGTH and any(pattern.search(text) for pattern in _BYLINE):
        return True
    return any(pattern.search(text) for pattern in _BOILERPLATE)


def _is_disclaimer(text: str) -> bool:
    return sum(1 for pattern in _DISCLAIMER if pattern.search(text)) >= 1 and len(text) < 400


def split_sections(blocks: list[Block]) -> tuple[str, list[Section], list[str], str | None]:
    """The title, the sections (the first one the introduction), what was removed, the disclaimer."""
    removed: list[str] = []
    disclaimer_parts: list[str] = []
    kept: list[Block] = []
    for block in blocks:
        text = _CLICK_HERE.sub("", block.text).strip() if block.kind == PARAGRAPH else block.text
        if _is_boilerplate(block.text):
            removed.append(block.text)
        elif _is_disclaimer(block.text):
            disclaimer_parts.append(block.text)
        else:
            if text != block.text:
                removed.append("a \"click here\" sentence")
            if text:
                kept.append(Block(block.kind, text, block.level))
    headings = [block for block in kept if block.kind == HEADING]
    title = headings[0].text if headings else (kept[0].text[:80] if kept else "Untitled")
    top = min((block.level for block in headings[1:]), default=2)
    if headings:
        kept.remove(headings[0])  # the title is the article's, not a section's
    sections = [Section("Introduction")]
    for block in kept:
        if block.kind == HEADING and block.level <= max(top, 2):
            sections.append(Section(block.text))
        elif block.kind == HEADING:
            sections[-1].paragraphs.append(block.text.rstrip(":") + ":")  # a sub-heading
        else:
            # List items have no full stop; without one they would run into each other.
            ending = "" if block.text.endswith((".", "!", "?", ":")) else "."
            sections[-1].paragraphs.append(block.text + ending)
    sections = [section for section in sections if section.paragraphs]
    return title, sections, removed, " ".join(disclaimer_parts) or None


def sentence_case(text: str) -> str:
    """ "Caring For A Strained Neck" -> "caring for a strained neck"; acronyms stay (GP, ACL)."""
    return " ".join(word if word.isupper() and len(word) > 1 else word.lower() for word in text.split())


def is_plural(subject: str) -> bool:
    """ "calf cramps", "shin splints" are plural; "heel pain", "bursitis", "stress" are not."""
    last = subject.split()[-1].lower() if subject.split() else ""
    return last.endswith("s") and not last.endswith(("ss", "is", "us"))


def subject_of(title: str) -> str:
    """What an article is about, from its title: "Calf cramps: what they are and what to do" ->
    "calf cramps"."""
    main = re.split(r"\s*(?::|\s[-\u2013\u2014|]\s)\s*", title.strip(), maxsplit=1)[0]
    return sentence_case(main.rstrip("?.!")) or sentence_case(title)


def heading_question(heading: str, subject: str) -> str:
    """A heading as the question it answers: "Causes of X" -> "What causes X?"."""
    text = heading.strip().rstrip(":.")
    if not text.endswith("?") and sum(1 for word in text.split() if word[:1].isupper()) > 1:
        text = sentence_case(text)
    lower = text.lower()
    if text.endswith("?"):
        return text
    rules = (
        (r"^(?:the )?causes? of (.+)$", lambda x: f"What causes {x}?"),
        (r"^(?:the )?treatments? (?:for|of) (.+)$", lambda x: f"How {_be(x)} {x} treated?"),
        (r"^treating (.+)$", lambda x: f"How {_be(x)} {x} treated?"),
        (r"^(?:the )?(?:symptoms|signs) of (.+)$", lambda x: f"What are the symptoms of {x}?"),
        (r"^(?:prevention of|preventing|how to prevent) (.+)$", lambda x: f"How can {x} be prevented?"),
        (r"^(?:diagnosis of|diagnosing) (.+)$", lambda x: f"How {_be(x)} {x} diagnosed?"),
        (r"^risk factors (?:for|of) (.+)$", lambda x: f"What are the risk factors for {x}?"),
        (r"^when to (?:see|call|visit) (?:a|your) (?:doctor|gp|physician)(.*)$",
         lambda x: f"When should I see a doctor {x.strip() or 'about ' + subject}?"),
        (r"^how to (.+)$", lambda x: f"How do I {x}?"),
        (r"^(?:what is|about) (.+)$", lambda x: f"What {_be(x)} {x}?"),
    )
    for pattern, template in rules:
        found = re.match(pattern, lower)
        if found:
            value = found.group(1)
            original = text[len(text) - len(value):] if value else ""
            return template(original.strip() if original.strip() else value)
    if lower == "introduction":
        return f"What {_be(subject)} {subject}?"
    by_topic = {"causes": f"What causes {subject}?", "symptoms": f"What are the symptoms of {subject}?",
                "see-a-doctor": f"When should I see a doctor about {subject}?"}
    topic = guess_topic(text)
    if topic in by_topic:
        return by_topic[topic]
    if topic == "treatment":
        return (f"How can {subject} be prevented?" if "prevent" in lower
                else f"How {_be(subject)} {subject} treated?")
    return f"What should I know about {text[:1].lower() + text[1:]}?"


def _be(subject: str) -> str:
    return "are" if is_plural(subject) else "is"


def guess_topic(heading: str) -> str:
    lower = heading.lower()
    for topic, words in _TOPIC_WORDS:
        if any(word in lower for word in words):
            return topic
    return "about"


def slug_of(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def make_id(heading: str, taken: set[str], existing: frozenset[str] = frozenset(), slug: str = "") -> str:
    """A readable id from a heading; one that another file already uses gets the article's slug
    in front ("see-doctor" -> "calf-cramps-see-doctor"), one used in this draft a number."""
    words = [word for word in re.findall(r"[a-z0-9]+", heading.lower()) if word not in _STOP]
    base = "-".join(words)[:MAX_ID_LENGTH - 3].strip("-") or "section"
    if base in existing and slug and not base.startswith(slug):
        base = f"{slug}-{base}"[:MAX_ID_LENGTH - 3].strip("-")
    candidate, number = base, 2
    while candidate in taken or candidate in existing:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def split_answer(paragraphs: list[str]) -> tuple[str, str]:
    """A chat-sized answer (whole sentences) and the rest of the section as details."""
    sentences = [s for paragraph in paragraphs for s in _SENTENCE.split(paragraph) if s.strip()]
    answer: list[str] = []
    for sentence in sentences:
        if answer and (len(answer) >= ANSWER_SENTENCES or len(" ".join(answer + [sentence])) > ANSWER_CHARACTERS):
            break
        answer.append(sentence)
    rest = sentences[len(answer):]
    return " ".join(answer), " ".join(rest)


def phrasings(question: str, vocabulary: Vocabulary) -> list[str]:
    """Ways people ask the same thing: the question, what/why/how variants, lay words."""
    base = " ".join(re.findall(r"[a-z0-9']+", question.lower()))
    variants = [base]
    patterns = (
        (r"^what causes (.+)$", ["why do i get {x}", "causes of {x}", "reasons for {x}", "what triggers {x}"]),
        (r"^how (?:is|are) (.+) treated$", ["how do i treat {x}", "treatment for {x}", "how to get rid of {x}",
                                            "what helps with {x}"]),
        (r"^what are the (?:symptoms|indications|signs) of (.+)$", ["symptoms of {x}", "signs of {x}",
                                                                  "what {does} {x} feel like",
                                                                  "how do i know i have {x}"]),
        (r"^what (?:is|are) (.+)$", ["what {be} {x} exactly", "explain {x}", "meaning of {x}", "{x} definition"]),
        (r"^how can (.+) be prevented$", ["how to prevent {x}", "how to avoid {x}", "preventing {x}"]),
        (r"^how do i (.+)$", ["how to {x}", "how can i {x}", "what can i do to {x}"]),
        (r"^when should i see a doctor(.*)$", ["do i need a doctor{x}", "should i see a doctor{x}",
                                               "when to worry{x}"]),
    )
    for pattern, templates in patterns:
        found = re.match(pattern, base)
        if found:
            value = found.group(1)
            plural = is_plural(value.split(" about ")[-1])
            variants += [template.format(x=value, be="are" if plural else "is", does="do" if plural else "does")
                         for template in templates]
            break
    lay = vocabulary.lay_words
    with_lay = []
    for variant in variants:
        with_lay.append(variant)
        everyday = " ".join(lay.get(word, word) for word in variant.split())
        if everyday != variant:
            with_lay.append(everyday)
    seen: list[str] = []
    for variant in with_lay:
        variant = " ".join(variant.split())
        if variant and variant not in seen:
            seen.append(variant)
    return seen[:QUESTIONS_PER_ENTRY]


def digest(paragraphs: list[str]) -> str:
    return hashlib.sha256(" ".join(paragraphs).encode()).hexdigest()[:12]


def draft_article(text: str, vocabulary: Vocabulary, existing_ids: frozenset[str] = frozenset(),
                  existing_questions: frozenset[str] = frozenset()) -> Draft:
    """A draft of the article; ids that `existing_ids` (other files' entries) hold get its slug,
    and phrasings other files already have are left out."""
    fmt = detect_format(text)
    title, sections, removed, disclaimer = split_sections(read_blocks(text, fmt))
    subject = subject_of(title)
    slug = slug_of(subject)
    taken: set[str] = set()
    entries = []
    used_questions: set[str] = set(existing_questions)
    for section in sections:
        question = heading_question(section.heading, subject)
        answer, details = split_answer(section.paragraphs)
        questions = [q for q in phrasings(question, vocabulary) if q not in used_questions]
        used_questions.update(questions)
        entry = {
            "id": make_id(question if section.heading == "Introduction" else section.heading, taken,
                          existing_ids, slug),
            "topic": guess_topic(section.heading if section.heading != "Introduction" else ""),
            "source": section.heading,
            "source_digest": digest(section.paragraphs),
            "title": question,
            "questions": questions or [question.lower().rstrip("?")],
            "answer": answer,
        }
        if details:
            entry["details"] = details
        entries.append(entry)
    for index, entry in enumerate(entries):
        neighbours = [entries[i]["id"] for i in (index - 1, index + 1) if 0 <= i < len(entries)]
        entry["related"] = neighbours
    return Draft(title, entries, [section.heading for section in sections], removed, disclaimer, fmt)


def _entry_yaml(entry: dict, note: str | None) -> str:
    text = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=100, indent=2)
    lines = ["  " + line if line else line for line in text.splitlines()]
    if note:
        lines.insert(0, f"  # REVIEW: {note}")
    return "\n".join(lines) + "\n"


def render(draft: Draft, source_name: str, notes: dict[str, str] | None = None,
           reviewed: datetime.date | None = None) -> str:
    """The knowledge file as YAML, with a header saying how it was made and what to do next."""
    notes = notes or {}
    header = (
        f"# Drafted by `python -m bot draft` from {source_name} ({draft.fmt}).\n"
        "# An editor reviews every answer (own words, facts only from the article), adds the ways\n"
        "# people ask, then sets `reviewed` to the date and runs `python -m bot check` and `eval`.\n")
    top = yaml.safe_dump({"title": draft.title, "source": {"title": draft.title,
                                                          "covers": ", ".join(draft.sections)},
                          "reviewed": reviewed, **draft.extra}, sort_keys=False, allow_unicode=True, width=100)
    body = "".join(_entry_yaml(entry, notes.get(entry["id"])) for entry in draft.entries)
    return f"{header}{top}\nentries:\n{body}"


def _read_existing(existing_text: str, path: Path) -> dict:
    if not existing_text.strip():
        raise KnowledgeError("the file to merge into is empty", path,
                             fix="name the knowledge file the draft should update, or use -o for a new one")
    try:
        old = yaml.safe_load(existing_text)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        problem = " ".join(str(error).split())
        raise KnowledgeError(f"cannot read the file to merge into ({problem})", path,
                             fix="fix it with `python -m bot check` first") from None
    if not isinstance(old, dict) or not isinstance(old.get("entries"), list):
        raise KnowledgeError("the file to merge into is not a knowledge file (it has no `entries:` list)", path,
                             fix="name the article's knowledge file, or use -o for a new one")
    return old


def merge(draft: Draft, existing_text: str, path: Path) -> tuple[Draft, dict[str, str], datetime.date | None]:
    """Update an existing file from a newer article without losing the editor's work.

    Every entry of the editor's file stays, in its order, with its id, title, topic, questions,
    answer and related links. Entries are paired with the article's sections by their `source`
    (several entries may share a section, one entry may name several joined by ";"); the first
    entry of a section gets the new phrasings after the editor's. An entry whose section changed
    or is gone from the article is flagged for review, and new sections are added, flagged too.
    """
    old = _read_existing(existing_text, path)
    old_entries = [dict(entry) for entry in old["entries"] if isinstance(entry, dict)]
    sections = {entry["source"]: entry for entry in draft.entries}
    notes: dict[str, str] = {}
    merged = []
    paired: set[str] = set()
    taken_questions = {str(question) for entry in old_entries for question in entry.get("questions") or []}
    for index, previous in enumerate(old_entries):
        kept = dict(previous)
        entry_id = str(kept.get("id") or f"entry {index + 1}")
        names = [part.strip() for part in str(kept.get("source", "")).split(";")]
        found = [sections[name] for name in names if name in sections]
        if not found:
            notes[entry_id] = "this section is no longer in the article"
            merged.append(kept)
            continue
        added = [q for section in found if section["source"] not in paired
                 for q in section["questions"] if q not in taken_questions]
        taken_questions.update(added)
        paired.update(section["source"] for section in found)
        kept["questions"] = list(kept.get("questions") or []) + list(dict.fromkeys(added))
        digest_now = "+".join(section["source_digest"] for section in found)
        if kept.get("source_digest") != digest_now:
            notes[entry_id] = ("this section of the article changed; check the answer against it"
                               if kept.get("source_digest") else
                               "check the answer against this section of the article (no digest of it yet)")
            kept["source_digest"] = digest_now
            details = " ".join(section["details"] for section in found if "details" in section)
            if details and "details" in kept:
                kept["details"] = details
        merged.append(kept)
    known = {str(entry.get("id")) for entry in merged}
    for entry in draft.entries:
        if entry["source"] in paired:
            continue
        base, number = entry["id"], 2
        while entry["id"] in known:
            entry["id"], number = f"{base}-{number}", number + 1
        known.add(entry["id"])
        notes[entry["id"]] = "a new section of the article"
        entry["questions"] = [q for q in entry["questions"] if q not in taken_questions] or [
            entry["title"].lower().rstrip("?") + " " + entry["id"]]
        taken_questions.update(entry["questions"])
        merged.append(entry)
    for entry in merged:
        entry["related"] = [related for related in entry.get("related") or [] if related in known]
    reviewed = None if notes else old.get("reviewed")
    title = old.get("title") or draft.title
    extra = {key: value for key, value in old.items() if key not in ("title", "source", "reviewed", "entries")}
    return (Draft(title, merged, draft.sections, draft.removed, draft.disclaimer, draft.fmt, extra),
            notes, reviewed)
