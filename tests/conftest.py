"""Shared fixtures: the shipped knowledge base and a responder over it, built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_DIR, Config
from bot.knowledge import Knowledge, load_knowledge
from bot.responder import Responder

KNOWLEDGE_DIR = PROJECT_DIR / "knowledge"
SHARED_EVAL = PROJECT_DIR.parent / "shared" / "eval" / "dev.yaml"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def responder(knowledge: Knowledge) -> Responder:
    return Responder(knowledge, Config())


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the knowledge folder, for tests that break a file on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target
