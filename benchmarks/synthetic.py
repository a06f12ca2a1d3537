"""A synthetic knowledge base the size of a health site, and messages people might send it.

Realistic enough to stress the matcher the way real content would: medical vocabulary, six
phrasings an entry, and many words shared between entries (every article has causes, symptoms
and treatment; many conditions share a body part).
"""

from __future__ import annotations

import datetime
import random
import shutil
from pathlib import Path

import yaml

from bot.knowledge import SUPPORT_FILES

PARTS = [
    "ankle", "knee", "hip", "shoulder", "elbow", "wrist", "neck", "back", "calf", "thigh", "foot",
    "hand", "jaw", "chest", "stomach", "skin", "scalp", "eye", "ear", "throat", "sinus", "tooth",
    "gum", "heel", "toe", "finger", "hamstring", "groin", "spine", "rib", "bladder", "kidney",
    "liver", "lung", "heart", "bowel", "colon", "tongue", "lip", "nail",
]
CONDITIONS = [
    "pain", "swelling", "stiffness", "numbness", "tingling", "rash", "itching", "infection",
    "inflammation", "strain", "sprain", "fracture", "bruise", "blister", "cyst", "ulcer", "spasm",
    "weakness", "tenderness", "burning",
]
ASPECTS = {
    "about": ["what is {c} in the {p}", "what does {p} {c} mean", "explain {p} {c}",
              "define {c} of the {p}", "what happens with {p} {c}", "{p} {c} meaning"],
    "symptoms": ["what are the symptoms of {p} {c}", "signs of {c} in my {p}",
                 "how does {p} {c} feel", "how do i know i have {p} {c}",
                 "what does {c} in the {p} look like", "{p} {c} symptoms"],
    "causes": ["what causes {p} {c}", "why do i get {c} in my {p}", "reasons for {p} {c}",
               "what triggers {c} of the {p}", "why does my {p} have {c}", "{p} {c} causes"],
    "treatment": ["how do i treat {p} {c}", "how to get rid of {c} in my {p}",
                  "best treatment for {p} {c}", "how to relieve {p} {c}",
                  "what helps with {c} of the {p}", "home remedies for {p} {c}"],
    "see-a-doctor": ["when should i see a doctor for {p} {c}", "is {p} {c} serious",
                     "should i worry about {c} in my {p}", "when is {p} {c} an emergency",
                     "do i need a doctor for {p} {c}", "{p} {c} when to get help"],
}
OUT_OF_SCOPE = ["what is the capital of peru", "recommend a pizza place", "how do i bake bread",
                "what's the weather tomorrow", "asdfghjkl", "who won the football game",
                "how do i fix my bike", "best phone to buy", "tell me a joke", "what time is it"]


def make_entries(count: int, seed: int = 7) -> list[dict]:
    """`count` entries: part x condition x aspect combinations, in a stable random order."""
    rng = random.Random(seed)
    combos = [(p, c, a) for p in PARTS for c in CONDITIONS for a in ASPECTS]
    rng.shuffle(combos)
    entries = []
    for index in range(count):
        part, condition, aspect = combos[index % len(combos)]
        suffix = "" if index < len(combos) else f"-{index // len(combos)}"
        entries.append({
            "id": f"{part}-{condition}-{aspect}{suffix}",
            "topic": aspect,
            "source": f"{part.title()} {condition}",
            "questions": [template.format(p=part, c=condition) + ("" if not suffix else f" {suffix[1:]}")
                          for template in ASPECTS[aspect]],
            "answer": f"An answer about {condition} of the {part} ({aspect}).",
        })
    return entries


def write_knowledge(folder: Path, count: int, shipped: Path) -> Path:
    """A knowledge folder with `count` synthetic entries and the shipped support files."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in SUPPORT_FILES:
        shutil.copy(shipped / name, folder / name)
    article = {"title": f"Synthetic health site ({count} entries)",
               "source": {"title": "Synthetic", "covers": "many conditions"},
               # Marked reviewed: the bot serves only reviewed files, and this one is to be served.
               "reviewed": datetime.date(2026, 11, 24), "entries": make_entries(count)}
    (folder / "site.yaml").write_text(yaml.safe_dump(article, sort_keys=False, width=200),
                                      encoding="utf-8")
    return folder


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    index = rng.randrange(1, len(word) - 1)
    return word[:index] + word[index + 1] + word[index] + word[index + 2:]


def make_messages(questions: list[str], count: int, seed: int = 11) -> list[str]:
    """Messages like people's: known questions with typos, dropped words, some out of scope."""
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        if rng.random() < 0.1:
            messages.append(rng.choice(OUT_OF_SCOPE))
            continue
        words = rng.choice(questions).split()
        if len(words) > 3 and rng.random() < 0.3:
            del words[rng.randrange(len(words))]
        words = [typo(word, rng) if rng.random() < 0.15 else word for word in words]
        messages.append(" ".join(words))
    return messages
