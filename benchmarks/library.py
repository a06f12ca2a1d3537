"""A health site's library of many articles, and messages that reword its questions, for measuring.

Each article is one condition ("heel bursitis") in its own knowledge file, with up to 15 entries
(what it is, symptoms, causes, risk factors, diagnosis, treatment, ...) of five or six phrasings
each. Articles look alike on purpose: "heel bursitis", "heel pain" and "knee bursitis" share
words and question shapes, so only the distinguishing word tells their entries apart.

Messages reword known questions the way people type them (a typo, a dropped little word, added
filler, a greeting, capitals); one in ten asks about something no article covers, either a
condition the library lacks ("what causes migraines") or nothing medical at all.
"""

from __future__ import annotations

import datetime
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge import RED_FLAGS_FILE, SMALLTALK_FILE, VOCABULARY_FILE

PARTS = [
    "ankle", "knee", "hip", "shoulder", "elbow", "wrist", "neck", "calf", "thigh", "foot", "hand",
    "jaw", "heel", "toe", "finger", "hamstring", "midfoot", "shin", "rib", "forearm", "achilles",
    "thumb", "collarbone", "kneecap", "instep", "arch", "upper back", "lower back", "tailbone",
    "biceps", "triceps", "quadriceps", "sole", "palm", "forefoot", "shoulder blade", "big toe",
    "pinky", "spine", "pelvis",
]
CONDITIONS = [
    "bursitis", "tendinitis", "sprain", "strain", "pain", "cramps", "stiffness", "swelling",
    "arthritis", "numbness", "bruising", "cyst", "spasms", "weakness", "tenderness",
    "tingling", "instability", "impingement", "inflammation",
]
# (entry key, topic, title, phrasings). {c}: the condition ("heel bursitis"), {n}: its noun
# ("bursitis"), {p}: the body part ("heel").
ASPECTS = [
    ("about", "about", "What is {c}?", [
        "what is {c}", "what is {c} exactly", "explain {c}", "{c} definition", "meaning of {c}",
        "what does {c} mean"]),
    ("symptoms", "symptoms", "What are the symptoms of {c}?", [
        "what are the symptoms of {c}", "signs of {c}", "what does {c} feel like",
        "how do i know i have {c}", "{c} symptoms", "how can i tell if i have {n} in my {p}"]),
    ("causes", "causes", "What causes {c}?", [
        "what causes {c}", "why do i get {c}", "reasons for {c}", "what triggers {c}",
        "why does my {p} get {n}", "{c} causes"]),
    ("risk", "causes", "Who is at risk of {c}?", [
        "who gets {c}", "who is at risk of {c}", "risk factors for {c}", "am i likely to get {c}",
        "is {c} common", "does age make {c} more likely"]),
    ("diagnosis", "about", "How is {c} diagnosed?", [
        "how is {c} diagnosed", "test for {c}", "what tests show {c}", "do i need an x ray for {c}",
        "how do doctors check for {c}", "diagnosing {c}"]),
    ("treatment", "treatment", "How is {c} treated?", [
        "how is {c} treated", "treatment for {c}", "how do i treat {c}", "best treatment for {c}",
        "what is the treatment for {n} in the {p}", "cure for {c}"]),
    ("home", "treatment", "How can I ease {c} at home?", [
        "home remedies for {c}", "how to ease {c} at home", "what can i do at home for {c}",
        "self care for {c}", "should i rest with {c}", "ice or heat for {c}"]),
    ("medicine", "treatment", "Which medicines help {c}?", [
        "medicine for {c}", "what painkillers help {c}", "which pills help {c}",
        "can ibuprofen help {c}", "do i need medication for {c}", "tablets for {n} in my {p}"]),
    ("exercise", "treatment", "Which exercises help {c}?", [
        "exercises for {c}", "stretches for {c}", "what exercises help {c}",
        "rehab exercises for {c}", "physiotherapy for {c}", "strengthening exercises for {n} in the {p}"]),
    ("prevention", "treatment", "How can I prevent {c}?", [
        "how to prevent {c}", "how can i avoid {c}", "preventing {c}", "how do i stop getting {c}",
        "ways to avoid {n} in my {p}", "can {c} be prevented"]),
    ("recovery", "treatment", "How long does {c} take to heal?", [
        "how long does {c} last", "how long to recover from {c}", "{c} recovery time",
        "when will my {c} heal", "how fast does {c} heal", "does {c} go away on its own"]),
    ("doctor", "see-a-doctor", "When should I see a doctor about {c}?", [
        "when should i see a doctor about {c}", "do i need a doctor for {c}",
        "should i see a gp for {c}", "when to get {c} checked", "is {c} an emergency",
        "when is {c} serious"]),
    ("complications", "see-a-doctor", "What complications can {c} cause?", [
        "complications of {c}", "can {c} get worse", "what happens if {c} is not treated",
        "long term effects of {c}", "can {c} cause permanent damage", "dangers of {c}"]),
    ("work", "treatment", "Can I work with {c}?", [
        "can i work with {c}", "should i go to work with {c}", "time off work for {c}",
        "can i drive with {c}", "is it ok to do my job with {c}", "sick leave for {c}"]),
    ("sleep", "treatment", "How can I sleep with {c}?", [
        "how to sleep with {c}", "best sleeping position for {c}", "{c} at night",
        "why is {c} worse at night", "{c} keeps me awake", "sleeping with {n} in my {p}"]),
]
ENTRIES_PER_ARTICLE = len(ASPECTS)
# Out of scope: conditions no article covers, and things that are not health at all.
UNKNOWN_CONDITIONS = [
    "migraines", "diabetes", "asthma", "the flu", "acne", "heartburn", "kidney stones", "insomnia",
    "anaemia", "eczema", "sinusitis", "tonsillitis", "a cold sore", "hay fever", "high blood pressure",
    "high cholesterol", "gout", "psoriasis", "shingles", "measles", "a urinary infection", "vertigo",
    "hair loss", "bad breath", "constipation", "a stomach ulcer",
]
UNKNOWN_QUESTIONS = [
    "what causes {u}", "how is {u} treated", "what are the symptoms of {u}", "how do i get rid of {u}",
    "is {u} serious", "how to prevent {u}", "what is {u}", "home remedies for {u}",
]
NOT_HEALTH = [
    "what is the capital of peru", "recommend a pizza place", "how do i bake bread",
    "what's the weather tomorrow", "asdfghjkl", "who won the football game", "how do i fix my bike",
    "best phone to buy", "tell me a joke", "what time is it", "how do i change a tyre",
    "where can i watch the match", "how much does a car cost", "translate hello into french",
]
GREETINGS = ["hi", "hello", "hey", "hi there", "good morning", "hello,", "hey there"]
# Words people add that do not change the question.
ADDED = [("please", "end"), ("exactly", "end"), ("quick question", "start"), ("so", "start"),
         ("um", "start"), ("really", "end"), ("please tell me", "start"), ("i wonder", "start"),
         ("can you tell me", "start"), ("thanks", "end"), ("basically", "start"), ("honestly", "start")]
# The little words people drop when typing fast; the words that say what is asked stay.
DROPPABLE = frozenset({"a", "an", "the", "is", "are", "do", "does", "i", "my", "for", "of", "to",
                       "what", "how", "in", "can", "with", "about", "should", "if", "me", "it"})
KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


@dataclass(frozen=True)
class Message:
    """A message and the entry it asks for (None: nothing in the library covers it)."""

    text: str
    expect: str | None


def slug(text: str) -> str:
    return "-".join(text.lower().split())


def condition_names(articles: int, seed: int = 7) -> list[tuple[str, str]]:
    """`articles` (part, condition) pairs in a stable random order."""
    rng = random.Random(seed)
    pairs = [(part, condition) for part in PARTS for condition in CONDITIONS]
    rng.shuffle(pairs)
    if articles > len(pairs):
        raise ValueError(f"at most {len(pairs)} articles")
    return pairs[:articles]


def make_articles(entries: int, seed: int = 7) -> list[dict]:
    """Articles holding `entries` entries in all, up to 15 each."""
    count = -(-entries // ENTRIES_PER_ARTICLE)
    articles = []
    left = entries
    for part, condition in condition_names(count, seed):
        name = f"{part} {condition}"
        values = {"c": name, "n": condition, "p": part}
        aspects = ASPECTS[:min(left, ENTRIES_PER_ARTICLE)]
        left -= len(aspects)
        keys = [f"{slug(name)}-{key}" for key, *_ in aspects]
        article_entries = []
        for index, (key, topic, title, templates) in enumerate(aspects):
            article_entries.append({
                "id": keys[index],
                "topic": topic,
                "source": title.format(**values),
                "title": title.format(**values).capitalize(),
                "questions": [template.format(**values) for template in templates],
                "answer": f"What the article says about {name} ({key}).",
                "related": [keys[i] for i in (index - 1, index + 1) if 0 <= i < len(keys)],
            })
        articles.append({"title": name.capitalize(),
                         "source": {"title": name.capitalize(), "covers": "everything about " + name},
                         "reviewed": datetime.date(2026, 11, 24), "entries": article_entries})
    return articles


# The shipped files every library shares: language, red flags, small talk. Not not-covered.yaml,
# which lists what the shipped article lacks (its strains, bursitis and leg cramps are this
# library's subjects).
SHARED_FILES = (VOCABULARY_FILE, RED_FLAGS_FILE, SMALLTALK_FILE)


def write_library(folder: Path, entries: int, shipped: Path, seed: int = 7) -> Path:
    """A knowledge folder of articles with `entries` entries in all, and the shipped shared files."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in SHARED_FILES:
        shutil.copy(shipped / name, folder / name)
    for article in make_articles(entries, seed):
        path = folder / f"{slug(article['title'])}.yaml"
        path.write_text(yaml.safe_dump(article, sort_keys=False, width=200), encoding="utf-8")
    return folder


def typo(word: str, rng: random.Random) -> str:
    """One slip of the finger: two letters swapped, one missed, one doubled or one wrong."""
    if len(word) < 5 or not word.isalpha():
        return word
    index = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:index] + word[index + 1] + word[index] + word[index + 2:]
    if kind == 1:
        return word[:index] + word[index + 1:]
    if kind == 2:
        return word[:index] + word[index] + word[index:]
    return word[:index] + rng.choice(KEYBOARD.replace(word[index], "")) + word[index + 1:]


def reword(question: str, rng: random.Random, known: frozenset[str] = frozenset()) -> str:
    """A known question as a person might type it. A typo never makes another known word
    ("strain" -> "sprain" asks another question)."""
    words = question.split()
    droppable = [index for index, word in enumerate(words) if word in DROPPABLE]
    if len(words) > 3 and droppable and rng.random() < 0.35:
        del words[rng.choice(droppable)]
    if rng.random() < 0.35:
        candidates = [index for index, word in enumerate(words) if len(word) >= 5]
        if candidates:
            index = rng.choice(candidates)
            slipped = typo(words[index], rng)
            words[index] = words[index] if slipped in known else slipped
    if rng.random() < 0.3:
        added, where = rng.choice(ADDED)
        words = [added, *words] if where == "start" else [*words, added]
    if rng.random() < 0.2:
        words = [rng.choice(GREETINGS), *words]
    text = " ".join(words)
    style = rng.random()
    if style < 0.2:
        text = text[:1].upper() + text[1:] + "?"
    elif style < 0.25:
        text = text.upper()
    elif style < 0.3:
        text = text.title()
    return text


def uncovered_conditions(entries: int, seed: int = 7) -> list[str]:
    """Conditions made of known words that no article of the library covers ("elbow cyst" when
    there are articles on elbow pain and wrist cysts); for the shipped knowledge (15 entries),
    cramps of other muscles than the glutes."""
    if entries <= ENTRIES_PER_ARTICLE:
        return [f"{part} cramps" for part in ("calf", "foot", "hamstring", "neck", "stomach", "hand")]
    used = set(condition_names(-(-entries // ENTRIES_PER_ARTICLE), seed))
    # "toe sprain" is covered by an article on big toe sprain; only truly uncovered ones count.
    covered = used | {(word, condition) for part, condition in used for word in part.split()}
    return [f"{part} {condition}" for part, condition in condition_names(len(PARTS) * len(CONDITIONS), seed)
            if (part, condition) not in covered]


def make_messages(entries: dict[str, tuple[str, ...]], count: int, uncovered: list[str] = (),
                  seed: int = 11, out_of_scope: float = 0.1) -> list[Message]:
    """`count` messages: reworded questions of random entries, and a share out of scope: questions
    about conditions nothing covers (unknown ones, and `uncovered` ones made of known words) and
    messages that are not about health."""
    rng = random.Random(seed)
    ids = sorted(entries)
    known = frozenset(word for questions in entries.values() for question in questions for word in question.split())
    conditions = [*UNKNOWN_CONDITIONS, *uncovered]
    messages = []
    for _ in range(count):
        if rng.random() < out_of_scope:
            if rng.random() < 0.8:
                text = rng.choice(UNKNOWN_QUESTIONS).format(u=rng.choice(conditions))
            else:
                text = rng.choice(NOT_HEALTH)
            messages.append(Message(reword(text, rng, known), None))
            continue
        entry_id = rng.choice(ids)
        messages.append(Message(reword(rng.choice(entries[entry_id]), rng, known), entry_id))
    return messages
