"""Writing files: atomically, and one beside another in a child process."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from optimizer.errors import OutputError
from optimizer.files import WriteBeside, write_atomically


def slow_write(path: Path, seconds: float = 0.0):
    def write(temporary: Path) -> None:
        temporary.write_text("part")
        time.sleep(seconds)
        temporary.write_text("whole")

    return lambda: write_atomically(path, write)


def test_a_file_written_beside_arrives_whole(tmp_path):
    target = tmp_path / "detail.xlsx"
    beside = WriteBeside(slow_write(target, 0.2))
    assert beside.result() == target
    assert target.read_text() == "whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["detail.xlsx"]


def test_its_output_error_is_raised_here(tmp_path):
    folder = tmp_path / "a folder"
    folder.mkdir()
    with pytest.raises(OutputError, match="cannot write"):
        WriteBeside(slow_write(folder)).result()


def test_a_cancelled_write_leaves_no_file(tmp_path):
    target = tmp_path / "detail.xlsx"
    beside = WriteBeside(slow_write(target, 5.0))
    deadline = time.monotonic() + 5
    while not list(tmp_path.glob("*.part")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(tmp_path.glob("*.part")), "the child never started its write"
    beside.cancel()
    assert list(tmp_path.iterdir()) == []


def test_a_bug_in_the_child_is_raised_as_a_bug(tmp_path):
    def broken() -> Path:
        raise ValueError("a bug")

    with pytest.raises(RuntimeError, match="ValueError: a bug"):
        WriteBeside(broken).result()
