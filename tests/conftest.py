"""Shared fixtures: the shipped knowledge base and a responder over it, built once; the `slow` mark."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_DIR, Config
from bot.knowledge import Knowledge, load_knowledge
from bot.responder import Responder

KNOWLEDGE_DIR = PROJECT_DIR / "knowledge"
SHARED = PROJECT_DIR.parent / "shared"
SHARED_EVAL = SHARED / "eval" / "dev.yaml"
SHARED_SOURCE = SHARED / "sources" / "gluteal-cramps.txt"
# Tests that start the bot (over HTTP against the fake Bot API, or in a subprocess) take most of the
# suite's time; `make test-fast` leaves them out. A test using the fake Bot API is marked by itself.
SLOW_FIXTURES = {"api"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def need_shared(path: Path) -> Path:
    """A file of the project's shared folder; its absence fails the test, never skips it silently."""
    if not path.exists():
        pytest.fail(f"{path} is missing: this test needs the shared folder beside the checkout "
                    f"({SHARED}), as the developers' machines and CI have it. Put it back, or run "
                    "the tests from a checkout that has it.", pytrace=False)
    return path


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
