"""The suite's own rules: nothing is skipped silently, and a missing shared folder fails loudly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import SHARED_EVAL, need_shared

TESTS = Path(__file__).parent


def test_a_missing_shared_file_fails_the_test_and_says_why(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "eval" / "dev.yaml"
    with pytest.raises(pytest.fail.Exception) as caught:
        need_shared(missing)
    assert str(missing) in str(caught.value) and "needs the shared folder" in str(caught.value)
    assert need_shared(SHARED_EVAL) == SHARED_EVAL


def test_no_test_skips_or_expects_to_fail() -> None:
    pattern = re.compile(r"pytest\.(skip|xfail|importorskip)\b|mark\.(skip|skipif|xfail)\b")
    offenders = [f"{path.name}:{number}" for path in sorted(TESTS.glob("*.py")) if path.name != Path(__file__).name
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == [], "a test must pass or fail, never skip: " + ", ".join(offenders)
