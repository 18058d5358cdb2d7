"""Output written as one state: atomic files, and whole output folders built aside and swapped in at once.

`write_atomic` writes a file next to its target and renames it into place (readers never see half a file);
the file gets the mode the user's umask gives (a temp file alone would be 0600).

`staged_output(out)` is for commands that write several files that belong together (`lmp run`: notebooks and
datakilde.md; `lmp tables`: one CSV per figure). Under a lock (a second run into the same folder stops with
a message), it builds a staging folder beside `out` – a hard-linked copy of the current output, so unchanged
files keep their bytes and mtimes (the run cache and Sphinx's incremental build still see them as
unchanged) – lets the caller write into it, and then exchanges it with `out` in one rename. A run killed at
any point leaves `out` as it was before or after; its leftovers (staging folder, temp files) are removed by
the next run.

Names beside `out` (all hidden): `.<out>.lmp-lock`, `.<out>.lmp-staging-<pid>`, `.<out>.lmp-old-<pid>`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lmp_helpers.errors import LmpError, LmpInputError

TMP_SUFFIX = ".tmp"
_RENAME_EXCHANGE = 2  # linux/fs.h


def file_mode() -> int:
    """0666 minus the process umask: what `open()` would give a new file."""
    try:
        # bytes: the file starts with the process name, which need not be ASCII or whole UTF-8
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # not thread-safe, hence only the fallback
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: str | bytes, *, exclusive: bool = False) -> None:
    """Write `data` to `path` through a temp file in the same folder, then rename (or, with `exclusive`,
    hard-link: fails with FileExistsError if `path` exists, also when another writer got there first)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
            tmp = None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _side(out: Path, kind: str, pid: int | None = None) -> Path:
    return out.parent / (f".{out.name}.lmp-{kind}" + (f"-{pid}" if pid is not None else ""))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic rename (Linux renameat2); False where the system has no such call."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # no kernel or filesystem support
        return False
    raise OSError(err, os.strerror(err), str(b))


def check_out_dir(out: Path, option: str = "--out") -> Path:
    """The output folder as an absolute path; refused if it is a file, or the folder the user stands in (or
    one above it): the whole folder is replaced, which must never swap the ground from under a shell."""
    if str(out).strip() == "":
        raise LmpInputError(f"{option} er tom tekst (''); tillatt: en mappe for resultatene")
    path = Path(out).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise LmpInputError(
            f"{option} {out} er en fil, ikke en mappe; tillatt: en mappe for resultatene (lages hvis den mangler)"
        )
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise LmpInputError(
            f"{option} {out} er mappen du står i (eller en over den); tillatt: en egen mappe for resultatene, "
            "for hele mappen erstattes"
        )
    return resolved


def _clean_leftovers(out: Path) -> None:
    """What a killed run left: staging folders, a swapped-out old folder, temp files inside `out`."""
    for stale in out.parent.glob(f".{out.name}.lmp-staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for old in sorted(out.parent.glob(f".{out.name}.lmp-old-*")):
        if not out.exists():  # killed between the two renames of the fallback: put the old state back
            os.rename(old, out)
        else:
            shutil.rmtree(old, ignore_errors=True)
    if out.is_dir():
        for tmp in out.rglob(f".*{TMP_SUFFIX}"):
            if tmp.is_file():
                tmp.unlink(missing_ok=True)


@contextmanager
def output_lock(out: Path, what: str) -> Iterator[None]:
    """Exclusive lock for writing `out`; a second holder stops at once with a message naming the first."""
    lock_path = _side(out, "lock")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, file_mode())
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise LmpError(
                f"en annen {what} skriver allerede til {out} (prosess {other}); vent til den er ferdig og prøv igjen"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock (also when the process is killed)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextmanager
def staged_output(out: Path, what: str) -> Iterator[Path]:
    """Yield a staging folder holding a copy of `out`; when the block ends without error it replaces `out`
    in one step. On error (or Ctrl-C) `out` is untouched and the staging folder removed."""
    out = Path(out)
    with output_lock(out, what):
        _clean_leftovers(out)
        stage = _side(out, "staging", os.getpid())
        if out.is_dir():
            shutil.copytree(out, stage, symlinks=True, copy_function=_link_or_copy)
        else:
            stage.mkdir()
        try:
            yield stage
            _swap_in(stage, out)
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)


def _swap_in(stage: Path, out: Path) -> None:
    if not out.exists():
        os.rename(stage, out)
        return
    if _exchange(stage, out):  # stage now holds the old state
        shutil.rmtree(stage, ignore_errors=True)
        return
    old = _side(out, "old", os.getpid())
    os.rename(out, old)  # a kill between these two renames is repaired by _clean_leftovers
    os.rename(stage, out)
    shutil.rmtree(old, ignore_errors=True)
