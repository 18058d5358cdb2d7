"""Warm kernels (lmp_helpers.kernel_pool): a pooled kernel behaves like a fresh one.

- two notebooks run one after the other in the same pool share nothing (variables, rcParams, module
  attributes, figures, process);
- what a notebook sees of its kernel (matplotlib backend, rcParams, sys.path, environment, random state
  source) equals what a freshly started kernel shows: the same probe notebook run both ways gives the same
  outputs;
- a real chapter executed in the pool is byte-identical to the cold path (one papermill kernel per notebook);
- a kernel that dies mid-notebook fails with the notebook and the cell named, and the pool goes on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from lmp_helpers import kernel_pool, runner
from lmp_helpers.errors import LmpError
from lmp_helpers.paths import NOTEBOOKS_DIR, PROJECT_ROOT

PARAMS = {"pulje": "alle", "data_dir": None, "min_n": 5}


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('pulje = "alle"\ndata_dir = None\nmin_n = 5')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Test"), params]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in sources]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def pool():
    with kernel_pool.KernelPool(size=2, cwd=PROJECT_ROOT, extra_arguments=runner.KERNEL_QUIET) as p:
        yield p


def _warm(pool, path: Path, parameters=PARAMS):
    return kernel_pool.execute_notebook(
        str(path), None, parameters=parameters, kernel_name=runner.KERNEL_NAME, cwd=str(PROJECT_ROOT),
        extra_arguments=runner.KERNEL_QUIET, progress_bar=False, log_output=False, pool=pool,
    )


def _cold(path: Path, parameters=PARAMS):
    return pm.execute_notebook(
        str(path), None, parameters=parameters, kernel_name=runner.KERNEL_NAME, cwd=str(PROJECT_ROOT),
        extra_arguments=runner.KERNEL_QUIET, progress_bar=False, log_output=False,
    )


def _stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def _comparable(nb, job: runner.Job) -> str:
    """The bytes `lmp run` writes (postprocess also fixes the id papermill draws at random for its injected
    cell, so nothing is masked here)."""
    runner.postprocess(nb, job, "key", runner.chapter_labels())
    return nbformat.writes(nb)


def test_two_notebooks_in_a_row_share_no_state(pool, tmp_path):
    first = _notebook(
        tmp_path / "first.ipynb",
        "import os, matplotlib, matplotlib.pyplot as plt\nimport lmp_helpers.book as book\n"
        "secret = 42\nmatplotlib.rcParams['lines.linewidth'] = 7.5\nbook._marker_from_first = True\n"
        "plt.figure(); plt.plot([1, 2])\nprint('pid', os.getpid())",
    )
    second = _notebook(
        tmp_path / "second.ipynb",
        "import os, matplotlib, matplotlib.pyplot as plt\nimport lmp_helpers.book as book\n"
        "print('secret' in globals(), matplotlib.rcParams['lines.linewidth'], "
        "hasattr(book, '_marker_from_first'), plt.get_fignums())\nprint('pid', os.getpid())",
    )
    out1 = _stdout(_warm(pool, first))
    out2 = _stdout(_warm(pool, second))
    assert out2.splitlines()[0] == "False 1.5 False []"
    pids = {re.search(r"pid (\d+)", out).group(1) for out in (out1, out2)}
    assert len(pids) == 2, "each notebook must get its own kernel process"


PROBE = (
    "import sys, os, random, json, matplotlib\n"
    "import numpy as np\n"
    "from lmp_helpers import book\n"
    "book._setup_matplotlib()\n"
    "import matplotlib.pyplot as plt\n"
    "print('backend', matplotlib.get_backend())\n"
    "print('rc', sorted((k, repr(v)) for k, v in matplotlib.rcParams.items() if k != 'backend') "
    "== sorted((k, repr(v)) for k, v in matplotlib.rcParamsDefault.items() if k != 'backend'))\n"
    "print('rcdefault', matplotlib.rcParams['figure.dpi'], matplotlib.rcParams['font.family'])\n"
    "print('path', json.dumps([p for p in sys.path]))\n"
    "print('cwd', os.getcwd())\n"
    "print('env', sorted(k for k in os.environ if k.startswith(('JPY', 'MPL', 'PYDEVD', 'CLICOLOR', 'PAGER'))))\n"
    "print('argv', [os.path.basename(a) for a in sys.argv[:1]] + sys.argv[3:])\n"
    "print('main', sys.modules['__main__'].__name__)",
    "plt.plot([1, 2, 3])\nplt.show()",
    "print('execution count', get_ipython().execution_count)",
)


def test_a_pooled_kernel_looks_like_a_fresh_one(pool, tmp_path):
    probe = _notebook(tmp_path / "probe.ipynb", *PROBE)
    warm, cold = _warm(pool, probe), _cold(probe)
    warm_out, cold_out = _stdout(warm), _stdout(cold)
    assert "backend module://matplotlib_inline.backend_inline" in cold_out
    assert warm_out == cold_out
    # the figure is shown as PNG in both (the inline backend is hooked into the pooled kernel too)
    pngs = [[o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
            for nb in (warm, cold)]
    assert len(pngs[0]) == len(pngs[1]) == 1


def test_random_state_differs_between_pooled_kernels(pool, tmp_path):
    nb = _notebook(tmp_path / "rand.ipynb", "import random, numpy as np\nprint(random.random(), np.random.rand())")
    assert _stdout(_warm(pool, nb)) != _stdout(_warm(pool, nb))


def test_chapter_output_is_byte_identical_to_the_cold_path(pool, tmp_path):
    source = NOTEBOOKS_DIR / "praksisendring.ipynb"
    params = {"pulje": 2, "data_dir": None, "min_n": 5}
    job = runner.Job("praksisendring", source, tmp_path / "out.ipynb", 2, params)
    warm = _comparable(_warm(pool, source, params), job)
    cold = _comparable(_cold(source, params), job)
    assert json.loads(warm)["cells"], "executed chapter is empty"
    assert warm == cold


def test_dying_kernel_names_notebook_and_cell_and_pool_goes_on(tmp_path):
    dies = _notebook(tmp_path / "dies.ipynb", "x = 1", "import os\nos._exit(1)", "print('never')")
    job = runner.Job("dies", dies, tmp_path / "out" / "dies.ipynb", "alle", PARAMS)
    with pytest.raises(LmpError) as err:
        runner.execute_job(job, "key", set())
    message = str(err.value)
    assert "dies.ipynb" in message and "celle 4" in message and "«import os»" in message
    assert "DeadKernelError" in message
    assert not job.output.exists()
    fine = _notebook(tmp_path / "fine.ipynb", "print('still running')")
    job = runner.Job("fine", fine, tmp_path / "out" / "fine.ipynb", "alle", PARAMS)
    runner.execute_job(job, "key", set())
    assert "still running" in _stdout(nbformat.read(job.output, as_version=4))


def test_a_budgeted_pool_forks_no_kernel_nobody_asked_for(tmp_path):
    """`lmp run` tells the pool how many notebooks it will run: no kernel is started only to be killed; a
    kernel wanted beyond the budget (e.g. a retry) is still forked on demand."""
    import time

    nb = _notebook(tmp_path / "one.ipynb", "print('ok')")
    with kernel_pool.KernelPool(size=2, cwd=PROJECT_ROOT, extra_arguments=runner.KERNEL_QUIET, budget=1) as pool:
        assert "ok" in _stdout(_warm(pool, nb))
        assert "ok" in _stdout(_warm(pool, nb))  # beyond the budget: forked on demand, no deadlock
        deadline = time.monotonic() + 5
        while pool.forked <= 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pool.forked == 2
        pool.expect(1)
        deadline = time.monotonic() + 30
        while pool.forked < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pool.forked == 3, "an expected notebook gets a kernel forked ahead"
