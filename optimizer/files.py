"""Writing output files atomically: a reader sees the old file or the whole new one,
never a half-written one, even if the run is interrupted; and writing one beside
another in a child process."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from optimizer.errors import OutputError


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write` on a temporary file beside `path`, then rename it into place.

    The temporary file is removed on any failure, Ctrl-C included.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                             dir=path.parent)
        os.close(handle)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    temporary = Path(temporary)
    try:
        write(temporary)
        with temporary.open("rb+") as stream:
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 is for the draft only
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class WriteBeside:
    """A file written by a forked child process while this one goes on, so that two
    outputs are written side by side on two cores (the report's decision and detail
    workbooks). `result` waits for it: the path written, or the child's `OutputError`
    raised here; `cancel` stops it, and its atomic write removes its temporary file."""

    def __init__(self, write: Callable[[], Path]):
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_write_in_child, args=(write, send),
                                        daemon=True)
        self._process.start()
        send.close()

    def result(self) -> Path:
        try:
            kind, text = self._receive.recv()
        except EOFError:  # the child died without a word
            kind, text = "bug", "the process writing it ended unexpectedly"
        finally:
            self._process.join()
        if kind == "ok":
            return Path(text)
        if kind == "output":
            raise OutputError(text)
        raise RuntimeError(text)

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _write_in_child(write: Callable[[], Path], send) -> None:
    """Run `write`; Ctrl-C is the parent's to handle, SIGTERM (`cancel`) unwinds the
    atomic write so that its temporary file is removed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    try:
        send.send(("ok", str(write())))
    except OutputError as exc:
        send.send(("output", str(exc)))
    except BaseException:  # noqa: BLE001 - a bug: its text goes to the parent
        send.send(("bug", traceback.format_exc()))
    finally:
        send.close()


def _exit_on_term(signum, frame) -> None:
    raise SystemExit(143)
