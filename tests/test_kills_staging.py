"""The staging contract (lmp_helpers/staging.py), tested fast and in process (`make mutate` runs it per mutant).

What must hold: a write that fails at any point leaves the old files byte for byte and no temp or staging
leftover; a write that succeeds gives exactly the new bytes with the mode `open()` would give a new file
under the user's umask; the next run removes what a killed run left (and nothing else: never a user's file);
`--out` refusals say what was wrong and what is allowed. Failures are injected below the code (os.replace,
os.rename, os.link, the C library's renameat2, open) rather than by looking at internals. Oracles are
independent: a file the test creates itself with `os.open` under the same umask, bytes the test wrote.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from pathlib import Path

import pytest

from lmp_helpers import staging
from lmp_helpers.errors import LmpInputError
from lmp_helpers.staging import _clean_leftovers, _exchange, check_out_dir, file_mode, staged_output, write_atomic


def tree(root: Path) -> dict[str, bytes]:
    """Every file and folder under root (folders as None), lock files left out (they stay by design)."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
        if not p.name.endswith(".lmp-lock")
    }


@pytest.fixture
def umask():
    """Set a umask for the test; the old one is put back afterwards."""
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask: int) -> None:
        os.umask(mask)

    yield set_
    os.umask(old)


def mode_of_a_new_file(folder: Path) -> int:
    """The oracle: the mode the kernel gives a file created with the default 0666 under the current umask."""
    probe = folder / "probe-by-the-test"
    fd = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o666)
    os.close(fd)
    mode = probe.stat().st_mode & 0o777
    probe.unlink()
    return mode


# -- file_mode --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002, 0o027, 0o000])
def test_file_mode_is_what_open_gives_a_new_file(tmp_path, umask, mask):
    umask(mask)
    assert file_mode() == mode_of_a_new_file(tmp_path)


def test_file_mode_reads_the_umask_without_changing_it(tmp_path, umask, monkeypatch):
    """The umask is process-wide: setting it even for an instant races every other thread creating a file,
    so where /proc tells the umask it is only read."""
    umask(0o027)
    expected = mode_of_a_new_file(tmp_path)

    def no_umask_change(mask):
        raise AssertionError(f"os.umask({mask:o}) called although /proc/self/status gives the umask")

    monkeypatch.setattr(os, "umask", no_umask_change)
    assert file_mode() == expected


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o007])
def test_file_mode_without_proc_gives_the_same_and_keeps_the_umask(tmp_path, umask, monkeypatch, mask):
    """Where /proc cannot be read (another system, a locked-down container) the answer is the same, and the
    process umask is the same afterwards."""
    umask(mask)
    expected = mode_of_a_new_file(tmp_path)

    def no_proc(file, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied (injected by the test)", str(file))

    monkeypatch.setattr(staging, "open", no_proc, raising=False)
    assert file_mode() == expected
    monkeypatch.undo()
    current = os.umask(0o022)
    os.umask(current)
    assert current == mask


# -- write_atomic -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("data", ["ny tekst: æøå – «sitat»\n", b"\x00\xffbytes\r\n", ""])
def test_write_atomic_gives_exactly_the_new_bytes_with_the_umask_mode(tmp_path, umask, data):
    umask(0o027)
    expected_mode = mode_of_a_new_file(tmp_path)
    target = tmp_path / "tabell.csv"
    target.write_bytes(b"gammelt innhold\n" * 100)
    target.chmod(0o600)
    write_atomic(target, data)
    assert target.read_bytes() == (data.encode("utf-8") if isinstance(data, str) else data)
    assert target.stat().st_mode & 0o777 == expected_mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tabell.csv"]


def test_write_atomic_accepts_a_path_as_text(tmp_path):
    write_atomic(str(tmp_path / "a.txt"), "x")
    assert (tmp_path / "a.txt").read_bytes() == b"x"


def test_exclusive_write_creates_a_new_file_and_leaves_no_temp(tmp_path, umask):
    umask(0o002)
    expected_mode = mode_of_a_new_file(tmp_path)
    target = tmp_path / "ppt.csv"
    write_atomic(target, "a,b\n1,2\n", exclusive=True)
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert target.stat().st_mode & 0o777 == expected_mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ppt.csv"]


def test_exclusive_write_never_replaces_an_existing_file(tmp_path):
    target = tmp_path / "ppt.csv"
    target.write_bytes(b"brukerens fil\n")
    with pytest.raises(FileExistsError):
        write_atomic(target, "ny\n", exclusive=True)
    assert tree(tmp_path) == {"ppt.csv": b"brukerens fil\n"}


def _fail(exc: BaseException):
    def raiser(*args, **kwargs):
        raise exc

    return raiser


@pytest.mark.parametrize("where", ["os.replace", "os.fchmod", "write", "os.link"])
def test_a_failing_write_leaves_the_old_bytes_and_no_temp(tmp_path, monkeypatch, where):
    target = tmp_path / "figur.csv"
    target.write_bytes(b"gammel,figur\n" * 50)
    (tmp_path / "annen.csv").write_bytes(b"brukerens\n")
    before = tree(tmp_path)
    disk_full = OSError(errno.ENOSPC, "No space left on device (injected by the test)")
    if where == "write":
        real_fdopen = os.fdopen

        class HalfWrite:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()
                return False

            def write(self, data):
                self.fh.write(data[: len(data) // 2])
                self.fh.flush()
                raise disk_full

        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: HalfWrite(real_fdopen(fd, *a, **k)))
    else:
        monkeypatch.setattr(os, where.split(".")[1], _fail(disk_full))
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "ny,figur\n" * 80, exclusive=where == "os.link")
    monkeypatch.undo()
    assert tree(tmp_path) == before


def test_a_killed_write_leaves_a_temp_that_the_next_run_removes(tmp_path, monkeypatch):
    """A kill after the data is written and before the rename leaves the temp file (no `finally` runs on
    SIGKILL). It lies in the target's folder (a rename is atomic only within one file system) and the next
    staged run removes it, keeping every file of the user."""
    out = tmp_path / "ut"
    (out / "sub").mkdir(parents=True)
    target = out / "sub" / "tabell.csv"
    target.write_bytes(b"gammel\n")
    seen: list[Path] = []
    keep = tmp_path / "kept-by-the-test"
    keep.mkdir()

    def killed(src, dst):
        seen.append(Path(src))
        shutil.copy2(src, keep / Path(src).name)  # what a SIGKILL would have left
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "ny\n")
    monkeypatch.undo()
    assert len(seen) == 1 and seen[0].parent == target.parent
    assert (keep / seen[0].name).read_bytes() == b"ny\n"
    shutil.move(keep / seen[0].name, seen[0])  # the leftover, where the killed write left it
    with staged_output(out, "test"):
        pass
    assert tree(out) == {"sub": None, "sub/tabell.csv": b"gammel\n"}


# -- _clean_leftovers ------------------------------------------------------------------------------------
def test_leftovers_of_a_killed_run_are_removed_and_nothing_else(tmp_path):
    out = tmp_path / "ut"
    (out / "sub").mkdir(parents=True)
    user_files = {
        "ut/a.csv": b"a\n",
        "ut/.skjult": b"brukerens skjulte fil\n",
        "ut/notat.tmp": b"ikke skjult: brukerens\n",
        "ut/sub/b.csv": b"b\n",
        "annet.txt": b"annet\n",
        ".ut2.lmp-staging-5/c.csv": b"en annen mappes stage\n",
        ".ut2.lmp-old-5/c.csv": b"en annen mappes gamle\n",
        "ut2/.c.csv.x1.tmp": b"en annen mappes temp\n",
    }
    leftovers = {
        ".ut.lmp-staging-123/a.csv": b"halv\n",
        ".ut.lmp-staging-9/sub/dypt.csv": b"halv\n",
        ".ut.lmp-old-456/a.csv": b"forrige\n",
        "ut/.a.csv.abc123.tmp": b"halv temp\n",
        "ut/sub/.b.csv.zz.tmp": b"halv temp\n",
    }
    for name, data in {**user_files, **leftovers}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (out / ".mappe.tmp").mkdir()  # a folder, not a temp file: kept
    _clean_leftovers(out)
    files = {k: v for k, v in tree(tmp_path).items() if v is not None}
    assert files == user_files
    assert (out / ".mappe.tmp").is_dir()
    assert not any(p.name.startswith(".ut.lmp-") for p in tmp_path.iterdir())


def test_a_kill_between_the_two_renames_is_repaired_from_the_old_folder(tmp_path):
    out = tmp_path / "ut"
    old = tmp_path / ".ut.lmp-old-4242"
    (old / "sub").mkdir(parents=True)
    (old / "a.csv").write_bytes(b"forrige a\n")
    (old / "sub" / "b.csv").write_bytes(b"forrige b\n")
    _clean_leftovers(out)
    assert tree(tmp_path) == {"ut": None, "ut/a.csv": b"forrige a\n", "ut/sub": None, "ut/sub/b.csv": b"forrige b\n"}


def test_cleaning_a_missing_output_is_a_no_op(tmp_path):
    (tmp_path / "annet.txt").write_bytes(b"x")
    _clean_leftovers(tmp_path / "ut")
    assert tree(tmp_path) == {"annet.txt": b"x"}


def test_a_leftover_that_cannot_be_removed_does_not_stop_the_run(tmp_path, monkeypatch):
    """Leftovers are beside the output and harmless; one that cannot be removed (another user's, a busy
    file system) must not stop the next run."""
    out = tmp_path / "ut"
    out.mkdir()
    (out / "a.csv").write_bytes(b"a\n")
    for side in (".ut.lmp-staging-1", ".ut.lmp-old-2"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "x.csv").write_bytes(b"x\n")
    real_unlink = os.unlink

    def refuse(path, *args, **kwargs):
        if "x.csv" in os.fsdecode(path):
            raise PermissionError(errno.EPERM, "Operation not permitted (injected by the test)", path)
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", refuse)
    with staged_output(out, "test") as stage:
        write_atomic(stage / "b.csv", b"b\n")
    monkeypatch.undo()
    assert (out / "a.csv").read_bytes() == b"a\n" and (out / "b.csv").read_bytes() == b"b\n"


# -- _exchange ---------------------------------------------------------------------------------------------
def test_exchange_swaps_two_folders_in_one_call(tmp_path):
    a, b = tmp_path / "ut", tmp_path / ".ut.lmp-staging-1"
    a.mkdir()
    b.mkdir()
    (a / "gammel.csv").write_bytes(b"gammel\n")
    (b / "ny.csv").write_bytes(b"ny\n")
    assert _exchange(a, b) is True
    assert tree(tmp_path) == {
        ".ut.lmp-staging-1": None, ".ut.lmp-staging-1/gammel.csv": b"gammel\n", "ut": None, "ut/ny.csv": b"ny\n",
    }


def test_exchange_swaps_relative_paths_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("ut").mkdir()
    Path("ny").mkdir()
    Path("ut/gammel.csv").write_bytes(b"gammel\n")
    assert _exchange(Path("ny"), Path("ut")) is True
    assert tree(tmp_path) == {"ny": None, "ny/gammel.csv": b"gammel\n", "ut": None}


def test_exchange_with_a_missing_path_raises_the_systems_error_naming_the_target(tmp_path):
    a, b = tmp_path / "finnes-ikke", tmp_path / "ut"
    b.mkdir()
    with pytest.raises(OSError) as info:
        _exchange(a, b)
    assert info.value.errno == errno.ENOENT and info.value.filename == str(b)
    assert isinstance(info.value, FileNotFoundError) and info.value.strerror == os.strerror(errno.ENOENT)
    assert tree(tmp_path) == {"ut": None}


class _FakeLibc:
    """A C library whose renameat2 fails with the given errno (as a kernel or file system without
    RENAME_EXCHANGE does)."""

    def __init__(self, err: int, calls: list):
        self.err, self.calls = err, calls

    def renameat2(self, *args):
        self.calls.append(args)
        ctypes.set_errno(self.err)
        return -1


@pytest.mark.parametrize("err", [errno.ENOSYS, errno.EINVAL, errno.ENOTSUP])
def test_exchange_says_false_where_the_kernel_or_file_system_cannot_exchange(tmp_path, monkeypatch, err):
    calls: list = []
    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: _FakeLibc(err, calls))
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert _exchange(a, b) is False
    assert len(calls) == 1


@pytest.mark.parametrize("err", [errno.EXDEV, errno.EACCES, errno.EBUSY])
def test_exchange_raises_other_errors(tmp_path, monkeypatch, err):
    calls: list = []
    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: _FakeLibc(err, calls))
    with pytest.raises(OSError) as info:
        _exchange(tmp_path / "a", tmp_path / "b")
    assert info.value.errno == err and info.value.filename == str(tmp_path / "b")


def test_exchange_says_false_without_a_c_library_or_without_renameat2(tmp_path, monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert _exchange(tmp_path / "a", tmp_path / "b") is False
    monkeypatch.undo()

    class NoRenameat2:
        pass

    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: NoRenameat2())
    assert _exchange(tmp_path / "a", tmp_path / "b") is False


# -- staged_output / _swap_in / _link_or_copy ------------------------------------------------------------
def _old_output(tmp_path: Path) -> Path:
    out = tmp_path / "ut"
    (out / "sub").mkdir(parents=True)
    (out / "a.csv").write_bytes(b"gammel a\n")
    (out / "sub" / "b.csv").write_bytes(b"gammel b\n")
    os.utime(out / "a.csv", (1_000_000_000, 1_000_000_000))
    return out


@pytest.fixture(params=["renameat2", "two renames"])
def swap_kind(request, monkeypatch):
    """Run each staged test with the atomic exchange and with the fallback of a system without it."""
    if request.param == "two renames":
        monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    return request.param


def test_a_new_output_folder_is_created_with_the_new_files(tmp_path, swap_kind):
    out = tmp_path / "ut"
    with staged_output(out, "test") as stage:
        write_atomic(stage / "a.csv", b"ny a\n")
    assert tree(tmp_path) == {"ut": None, "ut/a.csv": b"ny a\n"}


def test_a_successful_run_replaces_the_output_and_keeps_unchanged_files(tmp_path, swap_kind):
    out = _old_output(tmp_path)
    with staged_output(out, "test") as stage:
        assert tree(stage) == tree(out)
        write_atomic(stage / "sub" / "b.csv", b"ny b\n")
        write_atomic(stage / "c.csv", b"ny c\n")
    assert tree(tmp_path) == {
        "ut": None, "ut/a.csv": b"gammel a\n", "ut/c.csv": b"ny c\n", "ut/sub": None, "ut/sub/b.csv": b"ny b\n",
    }
    assert (out / "a.csv").stat().st_mtime == 1_000_000_000  # unchanged: same mtime for caches and Sphinx


def test_a_failing_run_leaves_the_old_output_and_no_staging(tmp_path, swap_kind):
    out = _old_output(tmp_path)
    before = tree(tmp_path)
    with pytest.raises(RuntimeError, match="midt i"):
        with staged_output(out, "test") as stage:
            write_atomic(stage / "a.csv", b"halv\n")
            raise RuntimeError("feil midt i kjøringen")
    assert tree(tmp_path) == before


def test_staging_works_where_hard_links_are_refused(tmp_path, monkeypatch):
    """Another file system under the staging folder (or one without hard links): the copy is a real copy,
    with the same bytes and mtimes."""
    out = _old_output(tmp_path)
    monkeypatch.setattr(os, "link", _fail(OSError(errno.EXDEV, "Invalid cross-device link (injected)")))
    with staged_output(out, "test") as stage:
        assert tree(stage) == tree(out)
        assert (stage / "a.csv").stat().st_mtime == 1_000_000_000
        assert (stage / "a.csv").stat().st_ino != (out / "a.csv").stat().st_ino
        write_atomic(stage / "c.csv", b"ny c\n")
    assert tree(tmp_path) == {
        "ut": None, "ut/a.csv": b"gammel a\n", "ut/c.csv": b"ny c\n", "ut/sub": None, "ut/sub/b.csv": b"gammel b\n",
    }


def test_a_kill_between_the_fallbacks_two_renames_is_repaired_by_the_next_run(tmp_path, monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    out = _old_output(tmp_path)
    old_tree = tree(out)
    real_rename = os.rename

    def killed_at_the_second(src, dst):
        if ".lmp-staging-" in os.fsdecode(src):
            raise KeyboardInterrupt  # the process dies after moving the old output aside
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", killed_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        with staged_output(out, "test") as stage:
            write_atomic(stage / "c.csv", b"ny c\n")
    monkeypatch.setattr(os, "rename", real_rename)
    assert not out.exists()
    (aside,) = [p for p in tmp_path.iterdir() if p.name.startswith(".ut.lmp-old-")]
    assert tree(aside) == old_tree
    with staged_output(out, "test") as stage:
        assert tree(stage) == old_tree
    assert tree(tmp_path) == {"ut": None, **{f"ut/{k}": v for k, v in old_tree.items()}}


# -- check_out_dir ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("blank", ["", "   "])
def test_out_dir_refuses_empty_text(blank):
    with pytest.raises(LmpInputError, match=r"^--tabeller er tom tekst \(''\); tillatt: en mappe for resultatene$"):
        check_out_dir(blank, "--tabeller")
    with pytest.raises(LmpInputError, match=r"^--out er tom tekst"):
        check_out_dir(blank)


def test_out_dir_refuses_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("fil.csv").write_bytes(b"x")
    with pytest.raises(LmpInputError) as info:
        check_out_dir(Path("fil.csv"))
    assert str(info.value) == (
        "--out fil.csv er en fil, ikke en mappe; tillatt: en mappe for resultatene (lages hvis den mangler)"
    )
    assert Path("fil.csv").read_bytes() == b"x"


@pytest.mark.parametrize("where", [".", "..", "../..", "{cwd}", "lenke"])
def test_out_dir_refuses_the_current_folder_and_those_above(tmp_path, monkeypatch, where):
    cwd = tmp_path / "prosjekt" / "bok"
    cwd.mkdir(parents=True)
    (cwd / "lenke").symlink_to(cwd)
    monkeypatch.chdir(cwd)
    given = where.format(cwd=cwd)
    with pytest.raises(LmpInputError) as info:
        check_out_dir(given, "--ut")
    assert str(info.value) == (
        f"--ut {given} er mappen du står i (eller en over den); tillatt: en egen mappe for resultatene, "
        "for hele mappen erstattes"
    )


def test_out_dir_accepts_other_folders_as_absolute_resolved_paths(tmp_path, monkeypatch):
    cwd = tmp_path / "prosjekt"
    (cwd / "finnes").mkdir(parents=True)
    (tmp_path / "ved-siden").mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("HOME", str(tmp_path / "hjem"))
    assert check_out_dir(Path("ny")) == cwd / "ny"
    assert check_out_dir("finnes") == cwd / "finnes"
    assert check_out_dir("../ved-siden") == tmp_path / "ved-siden"
    assert check_out_dir("~/resultater") == tmp_path / "hjem" / "resultater"
    (cwd / "lenke").symlink_to(tmp_path / "ved-siden")
    assert check_out_dir("lenke") == tmp_path / "ved-siden"


def test_an_old_folder_that_cannot_be_removed_does_not_fail_a_finished_run(tmp_path, monkeypatch, swap_kind):
    """Once the new output is in place the old one (swapped into the staging folder, or moved aside without
    renameat2) is removed; if that removal fails the run has still succeeded (the next run removes the rest)."""
    out = _old_output(tmp_path)
    real_unlink = os.unlink

    def refuse(path, *args, **kwargs):
        if Path(os.fsdecode(path)).name == "a.csv":  # only the old folder's a.csv is removed in this run
            raise PermissionError(errno.EPERM, "Operation not permitted (injected by the test)", path)
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", refuse)
    with staged_output(out, "test") as stage:
        write_atomic(stage / "c.csv", b"ny c\n")
    monkeypatch.setattr(os, "unlink", real_unlink)
    assert tree(out) == {"a.csv": b"gammel a\n", "c.csv": b"ny c\n", "sub": None, "sub/b.csv": b"gammel b\n"}
    assert [p.name for p in tmp_path.iterdir() if ".lmp-old-" in p.name or ".lmp-staging-" in p.name], \
        "the injection did not hit"
    with staged_output(out, "test"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ut.lmp-lock", "ut"]


def test_a_second_writer_to_the_same_folder_is_stopped_with_a_message(tmp_path):
    out = tmp_path / "ut"
    with staged_output(out, "lmp run") as stage:
        write_atomic(stage / "a.csv", b"a\n")
        with pytest.raises(staging.LmpError) as info:
            with staged_output(out, "lmp tables"):
                pass
        assert str(info.value) == (
            f"en annen lmp tables skriver allerede til {out} (prosess {os.getpid()}); vent til den er ferdig og "
            "prøv igjen"
        )
    assert tree(tmp_path) == {"ut": None, "ut/a.csv": b"a\n"}


# -- runner.stored_key: the cache key read back from an output notebook ---------------------------------------
def _notebook_with_key(key: str, last_cell: str = "slutt", pad: int = 0):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("figur " + "x" * 10000), nbformat.v4.new_markdown_cell(last_cell)]
    nb.metadata["lmp"] = {"cache_key": key, "pad": "p" * pad}
    return nb


@pytest.fixture
def whole_parse_banned(monkeypatch):
    """A notebook nbformat wrote is read from its tail: parsing megabytes of figures on every no-change run
    is what stored_key exists to avoid. json.load (the whole-file parse) fails the test."""
    import json

    real_load = json.load

    def banned(fh, *args, **kwargs):
        if str(getattr(fh, "name", "")).endswith(".ipynb"):
            raise AssertionError("the whole notebook was parsed, although its tail holds the key")
        return real_load(fh, *args, **kwargs)

    monkeypatch.setattr(json, "load", banned)


def test_stored_key_reads_the_key_from_the_tail_of_a_written_notebook(tmp_path, whole_parse_banned):
    from lmp_helpers import runner

    path = tmp_path / "kap.ipynb"
    # the marker line inside the last cell's text, within the tail: a newline is escaped in JSON text
    runner.atomic_write_notebook(_notebook_with_key("k" * 64, 'x\n "metadata": {"lmp": {"cache_key": "falsk"}}'), path)
    assert runner.stored_key(path) == "k" * 64


def test_stored_key_when_the_metadata_starts_exactly_where_the_tail_does(tmp_path, whole_parse_banned):
    import json as json_module

    import nbformat

    from lmp_helpers import runner

    path = tmp_path / "kap.ipynb"
    marker = b'\n "metadata": {'
    def written(pad: int) -> bytes:
        return (nbformat.writes(_notebook_with_key("kant", pad=pad)) + "\n").encode()

    data = written(0)
    data = written(runner.TAIL_BYTES - (len(data) - data.rfind(marker)))  # each pad byte lengthens the metadata
    assert len(data) - data.rfind(marker) == runner.TAIL_BYTES
    assert json_module.loads(data)["metadata"]["lmp"]["cache_key"] == "kant"
    path.write_bytes(data)
    assert runner.stored_key(path) == "kant"


@pytest.mark.parametrize("layout", ["compact", "indent 2", "nbformat first"])
def test_stored_key_of_a_notebook_written_by_another_tool(tmp_path, layout):
    import json

    from lmp_helpers import runner

    content = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "Læringsmiljø – «å»"}],
               "metadata": {"lmp": {"cache_key": "ø" + "9" * 63}}, "nbformat": 4, "nbformat_minor": 5}
    if layout == "nbformat first":
        content = {"nbformat": 4, **content}
        text = json.dumps(content, indent=1, ensure_ascii=False)
        assert text.rfind('\n "metadata": {') > text.find('"nbformat"')
    else:
        text = json.dumps(content, indent=2 if layout == "indent 2" else None, ensure_ascii=False)
    path = tmp_path / "kap.ipynb"
    path.write_text(text, encoding="utf-8")
    assert runner.stored_key(path) == "ø" + "9" * 63


def test_stored_key_of_another_tools_notebook_is_read_as_utf8_under_any_locale(tmp_path):
    import json
    import locale

    from lmp_helpers import runner

    path = tmp_path / "kap.ipynb"
    path.write_text(json.dumps({"cells": [{"source": "Læringsmiljø"}], "metadata": {"lmp": {"cache_key": "abc"}}},
                               ensure_ascii=False), encoding="utf-8")

    old = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")  # a Windows user has cp1252; under C Python's default is ASCII
    try:
        assert runner.stored_key(path) == "abc"
    finally:
        locale.setlocale(locale.LC_CTYPE, old)


def test_a_temp_file_removed_by_someone_else_meanwhile_does_not_stop_the_cleaning(tmp_path, monkeypatch):
    out = tmp_path / "ut"
    out.mkdir()
    (out / "a.csv").write_bytes(b"a\n")
    (out / ".a.csv.x1.tmp").write_bytes(b"halv\n")
    real_unlink = os.unlink

    def gone_first(path, *args, **kwargs):
        if os.fsdecode(path).endswith(".tmp"):
            real_unlink(path, *args, **kwargs)  # another process got there first
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", gone_first)
    _clean_leftovers(out)
    monkeypatch.setattr(os, "unlink", real_unlink)
    assert tree(tmp_path) == {"ut": None, "ut/a.csv": b"a\n"}


def test_file_mode_whatever_the_process_is_called(tmp_path, umask):
    """/proc/self/status starts with the process name, which is the script's or link's file name, up to 15
    bytes: `kjør-lmp`, or a name cut inside a UTF-8 character. Reading the umask must not depend on it (it
    did: the file was decoded as ASCII, and every write failed with UnicodeDecodeError)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_name, pr_get_name = 15, 16
    old = ctypes.create_string_buffer(32)
    assert libc.prctl(pr_get_name, old, 0, 0, 0) == 0
    umask(0o027)
    expected = mode_of_a_new_file(tmp_path)
    try:
        for name in ("kjør-læringsmiljø".encode(), "læringsmiljøø".encode()[:15]):
            assert libc.prctl(pr_set_name, ctypes.c_char_p(name), 0, 0, 0) == 0
            assert file_mode() == expected
            write_atomic(tmp_path / "a.csv", "ny\n")
            assert (tmp_path / "a.csv").read_bytes() == b"ny\n"
            assert (tmp_path / "a.csv").stat().st_mode & 0o777 == expected
    finally:
        libc.prctl(pr_set_name, old, 0, 0, 0)


def test_stored_key_of_a_notebook_never_run_is_none_from_the_tail(tmp_path, whole_parse_banned):
    import nbformat

    from lmp_helpers import runner

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("figur " + "x" * 10000)]
    path = tmp_path / "kap.ipynb"
    runner.atomic_write_notebook(nb, path)
    assert runner.stored_key(path) is None


def test_stored_key_of_a_damaged_notebook_is_none(tmp_path):
    """Cut or damaged before its metadata: no key (the output is re-run), even if the tail alone parses."""
    from lmp_helpers import runner

    path = tmp_path / "kap.ipynb"
    path.write_text('{"cells": [{"source": "avbr\n "metadata": {"lmp": {"cache_key": "abc"}}}', encoding="utf-8")
    assert runner.stored_key(path) is None
