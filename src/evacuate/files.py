"""Reading and writing files safely: a bounded read, one atomic write, one temporary folder,
one check of an output path.

Every file evacuate writes appears complete or not at all: it is written under a unique hidden
name in the target's own folder (``.NAME.XXXXXXXX.tmp``), then renamed over the target, and the
temporary file is removed if anything goes wrong (an error, Ctrl-C, or SIGTERM, which the CLI
turns into an exit that runs clean-up). Commands check their output paths with
:func:`check_output` *before* any work, so an unwritable ``-o`` costs nothing.

This module imports nothing of evacuate's but its errors: every layer may use it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from evacuate.errors import EvacuateError

__all__ = [
    "OutputError",
    "atomic_write",
    "check_output",
    "open_to_read",
    "read_at_most",
    "temporary_folder",
]


class OutputError(EvacuateError, ValueError):
    """An output path cannot be written (no such folder, a file in the way, no permission)."""


def open_to_read(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for reading bytes without waiting for a writer: a named pipe (FIFO)
    that nobody writes to reads as empty, where a plain ``open`` waits forever. A pipe that
    is being written (``evacuate validate <(gen)``) reads as before. ``OSError`` is the
    caller's to report."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        os.set_blocking(fd, True)  # reads wait for a writer's data, not for a writer
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_at_most(path: str | os.PathLike[str], limit: int) -> bytes | None:
    """The file's bytes, or None if it holds more than ``limit`` bytes. At most ``limit + 1``
    bytes are read, so ``/dev/zero`` or a 50 GB file costs no more than a file at the limit,
    and a named pipe nobody writes to reads as empty (``open_to_read``).
    ``OSError`` (no such file, a folder, no permission) is the caller's to report."""
    with open_to_read(path) as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(
    path: str | os.PathLike[str], data: str | bytes | Callable[[Path], object]
) -> None:
    """Write ``data`` to ``path`` through a uniquely named temporary file in the same folder.

    ``data`` is text (written as UTF-8, newlines untouched), bytes, or a function that writes
    the temporary file whose path it is given (e.g. a Parquet or PNG writer). The file gets
    the usual mode (0666 less the umask), then replaces ``path`` in one rename.
    """
    target = Path(path).expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    tmp = Path(name)
    try:
        if callable(data):
            os.close(fd)
            data(tmp)
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def temporary_folder(parent: str | os.PathLike[str], prefix: str) -> Iterator[Path]:
    """A uniquely named hidden folder in ``parent``, removed with its content on exit."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{prefix}-", dir=Path(parent).expanduser()))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _probe(folder: Path) -> str | None:
    """Why nothing can be created in the existing folder ``folder``, or None if it can."""
    try:
        fd, name = tempfile.mkstemp(prefix=".evacuate-probe-", dir=folder)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    os.close(fd)
    os.unlink(name)
    return None


def check_output(
    path: str | os.PathLike[str],
    *,
    folder: bool = False,
    flag: str = "-o",
    suffixes: tuple[str, ...] = (),
) -> Path:
    """Stop (``OutputError``) unless ``path`` can be written; call it before any work.

    A file's folder must exist and take new files; a path that is a folder is refused. A
    ``folder`` output may be missing (it is created, with its parents) but not a file, and its
    nearest existing ancestor must take new files. ``suffixes`` (lower case, with the dot) are
    the file types the command writes.
    """
    target = Path(path).expanduser()

    def refuse(problem: str) -> OutputError:
        return OutputError(f"{path}: {problem}; choose another {flag}")

    if suffixes and not folder and target.suffix.lower() not in suffixes:
        found = repr(target.suffix) if target.suffix else "no suffix"
        names = ", ".join(suffixes[:-1]) + " or " if len(suffixes) > 1 else ""
        raise refuse(f"found {found}; expected {names}{suffixes[-1]}")
    if folder:
        if target.exists() and not target.is_dir():
            raise refuse("not a folder")
        probe = target
        while not probe.exists():
            if probe.is_symlink():
                raise refuse(f"{probe} is a broken link")
            probe = probe.parent
        if not probe.is_dir():
            raise refuse(f"{probe} is a file, not a folder")
    else:
        if target.is_dir():
            raise refuse("a folder, not a file")
        probe = target.parent if str(target.parent) else Path(".")
        if not probe.exists():
            raise refuse(f"folder {probe} does not exist (create it first)")
        if not probe.is_dir():
            raise refuse(f"{probe} is a file, not a folder")
    why = _probe(probe)
    if why is not None:
        raise refuse(f"cannot create files in {probe} ({why})")
    return target
