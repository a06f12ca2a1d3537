"""Live reload: notice edited knowledge files and swap in a new Responder, or keep the old one."""

from __future__ import annotations

import logging
from pathlib import Path

from .config import Config
from .errors import KnowledgeErrors
from .knowledge import knowledge_files, load_knowledge
from .metrics import count_reload
from .responder import Responder

log = logging.getLogger(__name__)


def snapshot(knowledge_path: Path) -> dict[Path, tuple[int, int]]:
    """Size and modification time of every file the knowledge base is read from."""
    files = knowledge_files(knowledge_path)
    state = {}
    for path in sorted(files):
        try:
            stat = path.stat()
        except OSError:
            continue
        state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


class KnowledgeWatcher:
    """Holds the Responder in service and replaces it when the knowledge files change."""

    def __init__(self, responder: Responder, config: Config) -> None:
        self.responder = responder
        self.config = config
        self._seen = snapshot(config.knowledge_path)

    def changed(self) -> bool:
        """Whether a knowledge file was edited, added or removed since the last reload."""
        return snapshot(self.config.knowledge_path) != self._seen

    def reload(self) -> bool:
        """Load the files again; True when a new knowledge base is in service.

        An invalid edit leaves the last good knowledge base answering and logs what `check` says;
        so does any other error, as one line: a reload must never end the bot or its reloading.
        """
        path = self.config.knowledge_path
        try:
            self._seen = snapshot(path)
            responder = Responder(load_knowledge(path), self.config)
        except KnowledgeErrors as errors:
            for error in errors.errors:
                log.error("knowledge reload refused, keeping the previous knowledge base: %s", error)
            count_reload(False)
            return False
        except Exception as error:  # noqa: BLE001 - whatever a file holds, the last good knowledge serves on
            log.error("knowledge reload refused, keeping the previous knowledge base: %s: %s: %s",
                      path, type(error).__name__, error)
            count_reload(False)
            return False
        self.responder = responder
        count_reload(True)
        log.info("knowledge reloaded: %d entries", len(responder.knowledge.entries))
        return True
