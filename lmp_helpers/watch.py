"""`lmp watch` / `make watch`: one long-lived process that updates the site after every edit.

`make book` pays, for every edit, a new `lmp run` process (imports, a new warm kernel parent) and a new
`jupyter-book build` process (Sphinx, myst-nb, the theme and our extensions imported anew). The watcher
pays that once:

- `lmp run`'s planning and execution run in this process (`runner.run`, so the same cache, outputs and
  atomic staging as `make book`), with one warm kernel parent (`kernel_pool`) kept between edits: every
  notebook still gets its own freshly forked kernel;
- Sphinx is kept warm the same way as the kernels: a *Sphinx parent* process imports Sphinx, Jupyter Book,
  myst-nb, the theme and the book's extensions once and then forks one child per build, which runs
  `jupyter-book build` exactly as `make book` does (same arguments, same incremental environment in
  `_build`) and exits. No Sphinx state survives between builds: each build starts from the imported but
  unused modules.
- Whether Sphinx has to run at all is asked of the Makefile (`make -q _build/html/.lmp-built`, the same
  rule `make book` uses); after a successful build the stamp is touched, as `make book` does.

The watcher polls modification times (no extra dependency) of notebooks/, data/ (and the `--data` folder),
lmp_helpers/, book/, _toc.yml and _config.yml. A change in code or configuration the warm parents have
imported or read at start-up (lmp_helpers/*.py, book/_ext/*.py, _config.yml, data/*.yml|csv) restarts the
whole watcher process (`exec` of the same command line), so stale modules never produce a page. One
bokmål line is printed per rebuild; a failing notebook or build is reported like `make book` reports it,
and the watcher keeps watching. Ctrl-C stops it and the processes it started.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lmp_helpers.errors import LmpError, LmpInputError
from lmp_helpers.paths import PROJECT_ROOT

# `make book`'s Sphinx step (Makefile, target _build/html/.lmp-built), run in a forked child.
SPHINX_ARGV = ["build", ".", "-W", "-n", "--keep-going"]
SITE_STAMP = "_build/html/.lmp-built"
SPHINX_LOG = "_build/lmp-watch-sphinx.log"
# Imported once by the Sphinx parent (what `jupyter-book build` of this book imports; a module missing here
# is simply imported by the build child itself).
SPHINX_PRELOAD: tuple[str, ...] = (
    "jupyter_book.cli.main", "jupyter_book.sphinx", "jupyter_book.config", "sphinx.application",
    "sphinx.builders.html", "sphinx.search.no", "sphinx.environment", "sphinx.ext.mathjax",
    "myst_nb", "myst_nb.sphinx_ext", "myst_parser", "sphinx_book_theme", "pydata_sphinx_theme",
    "sphinxcontrib.bibtex", "sphinx_external_toc", "sphinx_design", "sphinx_togglebutton",
    "sphinx_copybutton", "sphinx_comments", "sphinx_jupyterbook_latex", "sphinx_multitoc_numbering",
    "pybtex.plugin", "nbformat", "jupyter_cache", "bs4",
)
# Paths (relative to the project) whose change restarts the watcher: what the warm parents import or read
# once. Everything else watched only triggers a rebuild.
RESTART_PATTERNS: tuple[str, ...] = (
    "lmp_helpers/*.py", "book/_ext/*.py", "_config.yml", "data/*.yml", "data/*.yaml", "data/*.csv",
)
WATCHED_DIRS: tuple[str, ...] = ("notebooks", "data", "lmp_helpers", "book")
WATCHED_FILES: tuple[str, ...] = ("_toc.yml", "_config.yml")
# Not sources: bytecode, our temp files, and the .mo catalogues Sphinx compiles from book/_locale's .po files
# during a build (watching them would trigger a second, empty rebuild).
IGNORED_SUFFIXES = (".pyc", ".tmp", ".mo")
RESTART_ENV = "LMP_WATCH_RESTARTED"  # what changed, for the first line after a restart


# ---------------------------------------------------------------------------------------------------------
# What changed


def scan(root: Path, dirs: Sequence[Path], files: Sequence[Path]) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every watched file, by path relative to `root` (hidden files and folders,
    __pycache__ and IGNORED_SUFFIXES left out)."""
    seen: dict[str, tuple[int, int]] = {}

    def add(path: Path) -> None:
        try:
            st = path.stat()
        except OSError:
            return
        try:
            name = str(path.relative_to(root))
        except ValueError:
            name = str(path)
        seen[name] = (st.st_mtime_ns, st.st_size)

    for path in files:
        add(path)
    for top in dirs:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
            for name in filenames:
                if not name.startswith(".") and not name.endswith(IGNORED_SUFFIXES):
                    add(Path(dirpath) / name)
    return seen


def changed(before: dict, after: dict) -> list[str]:
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def needs_restart(paths: Sequence[str], patterns: Sequence[str] = RESTART_PATTERNS) -> list[str]:
    return [p for p in paths if any(fnmatch.fnmatchcase(p, pat) and "/" not in p[len(pat.split("*")[0]):]
                                    for pat in patterns)]


def describe(paths: Sequence[str]) -> str:
    if not paths:
        return "ingen endring"
    shown = ", ".join(paths[:3])
    return shown + (f" og {len(paths) - 3} til" if len(paths) > 3 else "")


# ---------------------------------------------------------------------------------------------------------
# The warm Sphinx parent


def serve_sphinx(fd: int) -> None:
    """Sphinx parent: import once, then per request line fork a child that runs `jupyter-book build`
    with the given arguments (output to the given log file), wait for it and answer with its exit code."""
    import gc
    import importlib
    import warnings

    control = socket.socket(fileno=fd)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as in `jupyter-book`, a script: the project folder is not on sys.path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in SPHINX_PRELOAD:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the build imports it itself and reports any error
                pass
    gc.freeze()
    stream = control.makefile("rwb")
    stream.write(b'{"ready": true}\n')
    stream.flush()
    for line in stream:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _sphinx_child(request, control)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        stream.write(json.dumps({"code": code}).encode() + b"\n")
        stream.flush()


def _sphinx_child(request: dict, control: socket.socket) -> None:
    """In the forked child: one `jupyter-book build`, as the command line runs it. Never returns."""
    code = 1
    try:
        control.close()
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.chdir(request["cwd"])
        from jupyter_book.cli.main import main

        sys.argv = ["jupyter-book", *request["argv"]]
        try:
            main(args=request["argv"], prog_name="jupyter-book")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported in the log; the watcher sees a non-zero code
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class SphinxParent:
    """The client side: starts the Sphinx parent and asks it for builds (one at a time)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from lmp_helpers.watch import serve_sphinx; "
             "serve_sphinx(int(sys.argv[1]))", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), cwd=self.root, stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C goes to the watcher, which stops this group
        )
        theirs.close()
        self._control = ours
        self._stream = ours.makefile("rwb")
        self._ready = False

    def build(self, argv: Sequence[str], log: Path) -> int:
        if not self._ready:
            if not json.loads(self._stream.readline() or b"{}").get("ready"):
                raise LmpError("Sphinx-forelderen avsluttet under oppstart")
            self._ready = True
        log.parent.mkdir(parents=True, exist_ok=True)
        request = {"argv": list(argv), "log": str(log), "cwd": str(self.root)}
        self._stream.write(json.dumps(request).encode() + b"\n")
        self._stream.flush()
        answer = self._stream.readline()
        if not answer:
            raise LmpError("Sphinx-forelderen døde under byggingen")
        return int(json.loads(answer)["code"])

    def close(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the parent and a build child still running
        except (ProcessLookupError, PermissionError):
            pass
        self._control.close()
        self.process.wait()


# ---------------------------------------------------------------------------------------------------------
# The watcher


@dataclass
class Watcher:
    """Keeps the site of `root` up to date. `run_kwargs` go to `runner.run` (pulje, data, min_n, jobs, …)."""

    root: Path = PROJECT_ROOT
    run_kwargs: dict = field(default_factory=dict)
    interval: float = 0.3
    restart_patterns: Sequence[str] = RESTART_PATTERNS
    watched: Sequence[str] = WATCHED_DIRS
    print_line: Callable[[str], None] = field(default=lambda s: print(s, flush=True))
    sphinx: SphinxParent | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        data = self.run_kwargs.get("data")
        self.watched_dirs = [self.root / d for d in self.watched]
        if data:
            data_dir = Path(data).expanduser().resolve()
            if not data_dir.is_relative_to(self.root / "data"):
                self.watched_dirs.append(data_dir)
        self.watched_files = [self.root / f for f in WATCHED_FILES]
        self.site = self.root / "_build" / "html" / "index.html"

    def _scan(self) -> dict:
        return scan(self.root, self.watched_dirs, self.watched_files)

    def start(self) -> None:
        """Start both warm parents now (their imports overlap the first build)."""
        from lmp_helpers import kernel_pool, runner

        self.sphinx = SphinxParent(self.root)
        if kernel_pool.warm_kernels_enabled():
            jobs = self.run_kwargs.get("jobs") or os.cpu_count() or 1
            kernel_pool.shared_pool(runner.PROJECT_ROOT, runner.KERNEL_NAME, runner.KERNEL_QUIET, size=jobs,
                                    expect=0)

    def close(self) -> None:
        from lmp_helpers import kernel_pool

        if self.sphinx is not None:
            self.sphinx.close()
            self.sphinx = None
        kernel_pool.close_pools()

    def _site_outdated(self) -> bool:
        """`make -q`: the Makefile's own rule says whether `make book` would run Sphinx."""
        try:
            proc = subprocess.run(["make", "-q", "--no-print-directory", SITE_STAMP], cwd=self.root,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            return True
        return proc.returncode != 0

    def rebuild(self, what: str) -> bool:
        """One `make book` equivalent; prints one line. False when it failed (the old site stays)."""
        from lmp_helpers import kernel_pool, runner

        t0 = time.perf_counter()
        stamp = time.strftime("%H:%M:%S")
        kernel_pool.drop_dead_pools()
        try:
            result = runner.run(log=lambda *_: None, **self.run_kwargs)
        except (LmpError, OSError) as exc:
            from lmp_helpers.cli import os_error_message

            text = os_error_message(exc) if isinstance(exc, OSError) else " ".join(str(exc).split())
            self.print_line(f"[{stamp}] {what}: lmp run feilet: {text} "
                            "– nettstedet er ikke oppdatert; venter på neste endring")
            return False
        t_run = time.perf_counter() - t0
        pages = None
        if self._site_outdated():
            log = self.root / SPHINX_LOG
            try:
                code = self.sphinx.build(SPHINX_ARGV, log)
            except (LmpError, OSError) as exc:  # the Sphinx parent died: a new one for the next build
                self.sphinx.close()
                self.sphinx = SphinxParent(self.root)
                self.print_line(f"[{stamp}] {what}: jupyter-book build feilet: {exc} – venter på neste endring")
                return False
            if code != 0:
                self.print_line(f"[{stamp}] {what}: jupyter-book build feilet (kode {code}):\n"
                                + _problems(log) + f"\n  (hele loggen: {log}) – venter på neste endring")
                return False
            (self.root / SITE_STAMP).touch()
            pages = len(re.findall(r"writing output\.\.\. .*?\[\s*\d+%\]", log.read_text(errors="replace")))
        seconds = time.perf_counter() - t0
        written = (f"{pages} side(r) skrevet ({seconds - t_run:.1f} s)" if pages is not None
                   else "nettstedet var allerede oppdatert")
        self.print_line(f"[{stamp}] {what}: {len(result.executed)} notebook(er) kjørt ({t_run:.1f} s), {written}, "
                        f"{seconds:.1f} s i alt → {self.site}")
        return True

    def loop(self) -> int:
        """Build once, then rebuild on every change until Ctrl-C (exit code 0)."""
        restarted = os.environ.pop(RESTART_ENV, None)
        # Ctrl-C and a plain `kill` stop cleanly, also when started in the background (where a shell leaves
        # SIGINT ignored, and Python keeps it so).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            self.start()
            self.print_line(f"lmp watch: følger med på {', '.join(d + '/' for d in self.watched)}, "
                            f"{' og '.join(WATCHED_FILES)}; Ctrl-C avslutter")
            seen = self._scan()
            self.rebuild(f"startet på nytt etter endring i {restarted}" if restarted else "første bygging")
            while True:
                time.sleep(self.interval)
                now = self._scan()
                if now == seen:
                    continue
                while True:  # let an editor finish writing (several files, or one in several steps)
                    time.sleep(min(self.interval, 0.2))
                    settled = self._scan()
                    if settled == now:
                        break
                    now = settled
                paths = changed(seen, now)
                seen = now
                restart = needs_restart(paths, self.restart_patterns)
                if restart:
                    self._restart(restart)
                self.rebuild(f"endret {describe(paths)}")
        except KeyboardInterrupt:
            self.print_line("lmp watch: avsluttet")
            return 0
        finally:
            self.close()

    def _restart(self, paths: Sequence[str]) -> None:
        """A fresh process with the same command line: no module, warm parent or Sphinx state survives."""
        self.print_line(f"lmp watch: {describe(paths)} endret – starter på nytt (kode eller oppsett)")
        self.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os.environ[RESTART_ENV] = describe(list(paths))
        os.execv(sys.executable, sys.orig_argv)


def _problems(log: Path, limit: int = 20) -> str:
    """The warnings and errors of a failed build's log (what `make book` would have shown)."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "  (ingen logg)"
    hits = [line for line in lines if re.search(r"WARNING|ERROR|Error|error:|Exception", line)]
    return "\n".join("  " + line for line in (hits or lines[-limit:])[:limit])


def cli_watch(args) -> int:
    from lmp_helpers.runner import parse_pulje_list

    run_kwargs = {"pulje": parse_pulje_list(args.pulje), "data": args.data, "min_n": args.min_n,
                  "jobs": args.jobs}
    runner_check(run_kwargs)
    if not args.interval > 0:
        raise LmpInputError(f"ugyldig --interval {args.interval}; må være et antall sekunder > 0 (standard 0,3)")
    return Watcher(PROJECT_ROOT, run_kwargs, interval=args.interval).loop()


def runner_check(run_kwargs: dict) -> None:
    """Bad arguments fail at once with `lmp run`'s messages, not on the first edit."""
    from lmp_helpers import runner

    runner._resolve_data_dir(run_kwargs.get("data"))
    runner._check_min_n(run_kwargs.get("min_n", 5))
    runner._check_jobs(run_kwargs.get("jobs"))
