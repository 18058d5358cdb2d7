"""Warm kernels for `lmp run`: pay interpreter start-up and imports once per run, not once per notebook.

A fresh kernel spends most of its ~2–3 s starting Python and ipykernel and importing pandas, numpy,
matplotlib and `lmp_helpers`; the chapters' own work is a fraction of that. Here one *warm parent* (a
«zygote» process) imports all of that once, then `fork()`s one child per notebook. Each child becomes an
ordinary ipykernel (`IPKernelApp`, same arguments as a fresh kernel) in a process of its own, runs exactly
one notebook and is then killed. No notebook code ever runs in the parent, so no variable, figure or module
state crosses notebooks: a child starts from the parent's *imported-but-unused* modules, which is what a
fresh kernel has after the same imports.

What keeps a forked kernel indistinguishable from a fresh one:

- `MPLBACKEND` is set before matplotlib is imported, exactly as ipykernel sets it at start-up, and
  `matplotlib_inline.backend_inline` is NOT pre-imported (importing it inside the kernel is what hooks the
  inline backend into IPython, see `book._setup_matplotlib`);
- `sys.path` is arranged as `ipykernel_launcher` + IPython's `init_path` arrange it;
- the random generators (`random`, numpy's global one) are re-seeded from the OS in every child;
- every child gets its own session (`setsid`), working directory and `JPY_PARENT_PID` (the parent's pid,
  so a kernel exits if the parent dies), like a kernel launched by jupyter_client.

`tests/test_kernel_pool.py` checks isolation, a dying kernel and byte-identical outputs against the cold
path (one `papermill` kernel per notebook). The pool is used by `lmp_helpers.runner.execute_job` through
`execute_notebook`, which takes the same arguments as `papermill.execute_notebook`.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

# What the notebooks import (found by listing sys.modules before and after executed chapters). Importing
# more than a notebook needs is harmless (imported, never used); a module that fails to import here is
# simply left to the notebook, which then reports the error in its own cell as before. Not here: modules
# that hook into IPython when imported (matplotlib_inline.backend_inline, ipywidgets, lmp_helpers.explore):
# imported in the parent, where there is no IPython, they would skip that hook in every kernel.
PRELOAD: tuple[str, ...] = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
    "PIL.PngImagePlugin",
    "yaml",
    "nbformat",
    "myst_nb.ext.glue",
    "scipy.special",
    "jinja2",
    "pandas.io.formats.style",
    "charset_normalizer",
    "lmp_helpers.audit",
    "lmp_helpers.book",
    "lmp_helpers.codebook",
    "lmp_helpers.data",
    "lmp_helpers.figures",
    "lmp_helpers.stats",
    "lmp_helpers.style",
    "lmp_helpers.suppression",
    "lmp_helpers.tables",
)
# Set by ipykernel's IPKernelApp.init_gui_pylab when unset; must be set before matplotlib is imported.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# nbclient adds this to a kernel it starts itself (NotebookClient.ipython_hist_file): keep the same.
HISTORY_ARG = "--HistoryManager.hist_file=:memory:"


# ---------------------------------------------------------------------------------------------------------
# The warm parent (runs in its own process: `python -c "...; serve(fd)"`)


def _kernel_sys_path() -> None:
    """sys.path as a fresh kernel has it: ipykernel_launcher drops the script dir, IPython adds '' before
    site-packages (so `import` resolves the same in the parent as in a fresh kernel)."""
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    if "" in sys.path or sys.flags.safe_path:
        return
    site = (i for i, p in enumerate(sys.path) if os.path.split(p)[1] in {"site-packages", "dist-packages"})
    sys.path.insert(next(site, len(sys.path)), "")


def _preload(modules: tuple[str, ...] = PRELOAD) -> None:
    import importlib
    import warnings

    # LMP_KERNEL_PRELOAD: more modules, comma-separated (e.g. a test's own helper module, to show that the
    # watcher restarts the parent when such a module changes)
    modules = (*modules, *[m for m in os.environ.get("LMP_KERNEL_PRELOAD", "").split(",") if m.strip()])

    # Keep warnings raised by imports out of the warnings registry («once» filters): a fresh kernel would
    # show them in the notebook, so they must still be shown there.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the notebook's own import reports it, in its cell
                pass


def _become_kernel(request: dict, control: socket.socket) -> None:
    """In the forked child: turn into an ipykernel for one notebook. Never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        control.close()
        os.setsid()
        os.chdir(request["cwd"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        import random

        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        import ipykernel_launcher  # noqa: F401 - sys.argv[0] as in a kernel started with -m ipykernel_launcher
        from ipykernel import kernelapp

        sys.argv = [ipykernel_launcher.__file__, *request["argv"]]
        kernelapp.launch_new_instance()
        code = 0
    except BaseException:  # noqa: BLE001 - report and leave; the client sees a dead kernel
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def serve(fd: int) -> None:
    """Warm parent: import once, then fork a kernel per request line; exit (killing idle kernels) on EOF."""
    control = socket.socket(fileno=fd)
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    _kernel_sys_path()
    _preload()
    import gc

    gc.freeze()  # the imported objects stay shared (copy-on-write) instead of being touched by each child's gc
    children: set[int] = set()

    def reap(*_):
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children.discard(pid)

    signal.signal(signal.SIGCHLD, reap)
    stream = control.makefile("rwb")
    try:
        stream.write(b'{"ready": true}\n')
        stream.flush()
        for line in stream:
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                _become_kernel(request, control)
            children.add(pid)
            stream.write(json.dumps({"pid": pid}).encode() + b"\n")
            stream.flush()
    except (OSError, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for pid in list(children):  # unreaped children only: their pids cannot have been reused
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# ---------------------------------------------------------------------------------------------------------
# The client side (in `lmp run`): kernel managers for forked kernels, and the pool


def _kernel_manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class ForkedKernelManager(AsyncKernelManager):
        """A kernel manager for a kernel forked by the warm parent (not our child: tracked by pid)."""

        kernel_pid: int | None = None
        _clients: list

        @property
        def has_kernel(self) -> bool:
            return self.kernel_pid is not None

        def _pid_alive(self) -> bool:
            if self.kernel_pid is None:
                return False
            try:
                os.kill(self.kernel_pid, 0)  # the parent reaps its children at once: no zombies linger
            except ProcessLookupError:
                return False
            return True

        async def _async_is_alive(self) -> bool:
            return self._pid_alive()

        is_alive = _async_is_alive

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.__dict__.setdefault("_clients", []).append(kc)
            return kc

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            # One notebook per kernel, its outputs already collected: no graceful shutdown needed.
            for kc in self.__dict__.get("_clients", []):
                kc.stop_channels()
            if self._pid_alive():
                try:
                    os.kill(self.kernel_pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.kernel_pid = None

        async def cleanup_resources(self, restart: bool = False) -> None:
            self.cleanup_connection_file()

        async def interrupt_kernel(self) -> None:
            if self._pid_alive():
                os.kill(self.kernel_pid, signal.SIGINT)

    return ForkedKernelManager


class KernelPool:
    """Keeps `size` forked kernels started ahead of use; `acquire()` hands out one per notebook.

    A kernel is used for exactly one notebook and then shut down by whoever acquired it; a kernel that
    died (before or during its notebook) is simply not reused, and the pool forks a new one.

    `budget` (None: no limit) is how many kernels to fork ahead in all, e.g. the number of notebooks a run
    has to execute: kernels forked beyond it would start up only to be killed, taking a core from the last
    notebooks. `expect(n)` adds to it; an `acquire()` that finds nothing ready or coming forks one anyway.
    """

    def __init__(self, size: int = 2, cwd: str | os.PathLike = ".", kernel_name: str = "python3",
                 extra_arguments: list[str] | tuple[str, ...] = (), budget: int | None = None):
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_core.paths import jupyter_runtime_dir

        self.size = max(1, size)
        self.cwd = str(Path(cwd).resolve())
        self.kernel_name = kernel_name
        self.argv_extra = [*extra_arguments, HISTORY_ARG]
        self.runtime_dir = Path(jupyter_runtime_dir())
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        self._km_class = _kernel_manager_class()
        # The kernelspec's interpreter and its flags (e.g. -Xfrozen_modules=off), without `-m ipykernel_launcher`.
        spec_argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
        interpreter = spec_argv[: spec_argv.index("-m")] if "-m" in spec_argv else spec_argv[:1]
        ours, theirs = socket.socketpair()
        self._control = ours
        self.process = subprocess.Popen(
            [*interpreter, "-c", "import sys; from lmp_helpers.kernel_pool import serve; serve(int(sys.argv[1]))",
             str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C goes to `lmp run`, which closes the pool
        )
        theirs.close()
        self._stream = ours.makefile("rwb")
        self._ready: queue.Queue = queue.Queue()
        self._slots = threading.Semaphore(self.size)
        self._budget = budget
        self.forked = 0  # kernels forked so far (tests, benchmarks)
        self._budget_changed = threading.Condition()
        self._closed = threading.Event()
        self._handed_out: list = []
        self._thread = threading.Thread(target=self._refill, name="lmp-kernel-pool", daemon=True)
        self._thread.start()

    def _fork_kernel(self):
        km = self._km_class(kernel_name=self.kernel_name)
        km.connection_file = str(self.runtime_dir / f"kernel-lmp-{uuid.uuid4()}.json")
        km.write_connection_file()  # ports and key chosen here, as jupyter_client does for a fresh kernel
        request = {"cwd": self.cwd, "argv": ["-f", km.connection_file, *self.argv_extra]}
        self._stream.write(json.dumps(request).encode() + b"\n")
        self._stream.flush()
        km.kernel_pid = json.loads(self._stream.readline())["pid"]
        self.forked += 1
        return km

    def _refill(self) -> None:
        try:
            if not json.loads(self._stream.readline() or b"{}").get("ready"):
                raise OSError("the warm parent exited during start-up")
            while True:
                self._slots.acquire()
                with self._budget_changed:
                    while self._budget == 0 and not self._closed.is_set():
                        self._budget_changed.wait()
                    if self._budget is not None:
                        self._budget -= 1
                if self._closed.is_set():
                    return
                self._ready.put(self._fork_kernel())
        except (OSError, ValueError) as exc:
            if not self._closed.is_set():
                self._ready.put(exc)  # wake a waiting acquire() with the reason

    def acquire(self, timeout: float = 120):
        """A started kernel (ForkedKernelManager) for one notebook; the caller shuts it down."""
        if self._ready.empty():
            with self._budget_changed:
                if self._budget == 0:  # nothing budgeted is coming (a retry, or more notebooks than expected)
                    self.expect(1)
        try:
            km = self._ready.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"ingen kjerne klar etter {timeout:.0f} s (lmp_helpers.kernel_pool)") from None
        if isinstance(km, BaseException):
            self._ready.put(km)
            raise RuntimeError(f"varm kjerneforelder feilet: {km}") from km
        self._slots.release()
        return km

    def expect(self, notebooks: int) -> None:
        """`notebooks` more kernels will be wanted (a no-op without a budget)."""
        with self._budget_changed:
            if self._budget is not None:
                self._budget += notebooks
                self._budget_changed.notify_all()

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        with self._budget_changed:
            self._budget_changed.notify_all()
        self._slots.release()
        while True:  # kernels started but never used
            try:
                km = self._ready.get_nowait()
            except queue.Empty:
                break
            if not isinstance(km, BaseException):
                _shutdown(km)
        try:
            self._control.shutdown(socket.SHUT_RDWR)  # EOF: the parent kills what is left and exits
        except OSError:
            pass
        self._control.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _shutdown(km) -> None:
    import asyncio

    async def stop():
        await km.shutdown_kernel(now=True)
        await km.cleanup_resources()

    asyncio.run(stop())


# ---------------------------------------------------------------------------------------------------------
# papermill with a pooled kernel

_pools: dict[tuple, KernelPool] = {}
_pools_lock = threading.Lock()


def shared_pool(cwd: str | os.PathLike, kernel_name: str, extra_arguments=(), size: int | None = None,
                expect: int | None = None) -> KernelPool:
    """One pool per process and settings, started on first use and closed at exit. `expect`: how many
    notebooks the caller is about to run (kernels are forked ahead for those only); None: no limit."""
    key = (str(Path(cwd).resolve()), kernel_name, tuple(extra_arguments))
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = KernelPool(size or os.cpu_count() or 1, cwd, kernel_name, extra_arguments,
                                            budget=expect)
        elif expect:
            pool.expect(expect)
        return pool


def drop_dead_pools() -> None:
    """Forget (and close) pools whose warm parent has exited, so that the next run starts a new one: a
    long-lived caller (`lmp watch`) outlives a parent killed from outside."""
    with _pools_lock:
        dead = [key for key, pool in _pools.items() if pool.process.poll() is not None]
        pools = [_pools.pop(key) for key in dead]
    for pool in pools:
        pool.close()


def close_pools() -> None:
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


atexit.register(close_pools)


def warm_kernels_enabled() -> bool:
    """Forking needs POSIX `fork`; `LMP_WARM_KERNELS=0` falls back to one freshly started kernel per
    notebook (the method before the pool; the benchmark uses it as «today's method»)."""
    return hasattr(os, "fork") and os.environ.get("LMP_WARM_KERNELS", "1") != "0"


def execute_notebook(input_path, output_path=None, *, parameters=None, kernel_name="python3", cwd=".",
                     extra_arguments=(), pool: KernelPool | None = None, **papermill_kwargs):
    """`papermill.execute_notebook` in a kernel from the pool instead of a freshly started one.

    A kernel that dies mid-notebook raises papermill's PapermillExecutionError for the cell that was
    running (as a failing cell does), so callers name the notebook and cell the same way.
    """
    import papermill as pm
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if pool is None and not warm_kernels_enabled():
        return pm.execute_notebook(input_path, output_path, parameters=parameters, kernel_name=kernel_name,
                                   cwd=cwd, extra_arguments=list(extra_arguments), **papermill_kwargs)
    pool = pool or shared_pool(cwd, kernel_name, extra_arguments)
    for attempt in (1, 2):
        km = pool.acquire()
        running: dict = {}

        def on_cell_execute(cell, cell_index, running=running):
            running.update(cell=cell, index=cell_index)

        try:
            return pm.execute_notebook(
                input_path, output_path, parameters=parameters, kernel_name=kernel_name, cwd=cwd, km=km,
                on_cell_execute=on_cell_execute, **papermill_kwargs,
            )
        except DeadKernelError as exc:
            if "cell" not in running:
                raise
            cell = running["cell"]
            raise PapermillExecutionError(
                running["index"], cell.get("execution_count"), cell.source, "DeadKernelError",
                "kjernen døde under kjøringen (krasj, minne eller os._exit)", [str(exc)],
            ) from exc
        except RuntimeError:
            # A kernel that died before its first cell (e.g. it lost a port race) is replaced once.
            if attempt == 2 or "cell" in running or km._pid_alive():
                raise
        finally:
            _shutdown(km)
    raise AssertionError("unreachable")
