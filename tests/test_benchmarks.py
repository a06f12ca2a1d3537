"""The benchmark's synthetic knowledge base stays loadable and answerable, so `python -m benchmarks`
keeps working as the knowledge format changes."""

from __future__ import annotations

from pathlib import Path

from benchmarks.synthetic import make_messages, write_knowledge
from bot.config import PROJECT_DIR, Config
from bot.knowledge import load_knowledge
from bot.responder import Responder


def test_synthetic_knowledge_base_loads_and_answers(tmp_path: Path) -> None:
    folder = write_knowledge(tmp_path / "knowledge", 200, PROJECT_DIR / "knowledge")
    knowledge = load_knowledge(folder)
    assert len(knowledge.entries) == 200
    responder = Responder(knowledge, Config(knowledge_path=folder))
    entry = next(iter(knowledge.entries.values()))
    reply = responder.respond(entry.questions[0])
    assert reply.kind == "answer" and reply.entry_id == entry.id
    questions = [q for e in knowledge.entries.values() for q in e.questions]
    assert len(make_messages(questions, 50)) == 50
