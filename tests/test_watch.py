"""`lmp watch` (lmp_helpers/watch.py) on a small book shaped like ours: one chapter notebook run by
`runner.run`, a Jupyter Book around it, a Makefile rule for the site stamp, and a helper module that the
warm kernel parent has imported (LMP_KERNEL_PRELOAD), as it imports lmp_helpers.

- after a one-chapter edit the watcher's site (executed notebooks, every HTML page, the search index) is
  the one a fresh `lmp run` + `jupyter-book build` of the same sources makes;
- a failing notebook is reported with notebook and cell, and the watcher goes on (the fix is built);
- an edit of the helper module restarts the watcher: the next output shows the new code (a warm parent
  kept alive would still have the old module, so the output would show the old value);
- Ctrl-C stops the watcher and the warm parents it started.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from lmp_helpers.watch import changed, needs_restart, scan

BIN = Path(sys.executable).parent
CONFIG = """title: Liten bok
author: Test
only_build_toc_files: true
exclude_patterns: [notebooks/**, helpers/**, _build]
execute:
  execute_notebooks: "off"
sphinx:
  config:
    language: nb
    html_last_updated_fmt: ""
"""
TOC = """format: jb-book
root: forside
chapters:
  - file: generated/pulje-alle/kap
"""
MAKEFILE = """_build/html/.lmp-built: $(wildcard generated/*/*.ipynb generated/*.md) forside.md _config.yml _toc.yml
\ttouch $@
"""
RUN_KWARGS = ("dict(pulje=['alle'], jobs=1, out=root / 'generated', notebooks_dir=root / 'notebooks', "
              "chapters=('kap',), appendices=())")
WATCHER = f"""
import sys
from pathlib import Path
from lmp_helpers.watch import Watcher
root = Path(sys.argv[1])
sys.exit(Watcher(root, {RUN_KWARGS}, interval=0.2, restart_patterns=('helpers/*.py', '_config.yml'),
                 watched=('notebooks', 'helpers')).loop())
"""
FRESH_RUN = f"""
import sys
from pathlib import Path
from lmp_helpers import runner
root = Path(sys.argv[1])
runner.run(**{RUN_KWARGS})
"""


def write_notebook(path: Path, text: str, code: str = "import tinyhelp\nprint('verdi', tinyhelp.VALUE)") -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('pulje = "alle"\ndata_dir = None\nmin_n = 5')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Kapittel\n\n{text}"), params, nbformat.v4.new_code_cell(code)]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    nbformat.write(nb, path)


def write_sources(root: Path) -> None:
    (root / "notebooks").mkdir(parents=True)
    (root / "helpers").mkdir()
    (root / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (root / "_toc.yml").write_text(TOC, encoding="utf-8")
    (root / "Makefile").write_text(MAKEFILE, encoding="utf-8")
    (root / "forside.md").write_text("# Forside\n\nEn liten bok.\n", encoding="utf-8")
    (root / "helpers" / "tinyhelp.py").write_text("VALUE = 1\n", encoding="utf-8")
    write_notebook(root / "notebooks" / "kap.ipynb", "Første tekst.")


def site_files(root: Path) -> dict[str, bytes]:
    """Executed notebooks, HTML pages and the search index (`?v=` suffixes left out: Sphinx adds one only
    when the static file already exists, which differs between a first and a later build)."""
    html = root / "_build" / "html"
    files = {f"html/{p.relative_to(html)}": p for p in [*html.rglob("*.html"), html / "searchindex.js"]}
    files |= {str(p.relative_to(root)): p for p in (root / "generated").rglob("*.ipynb")}
    return {name: re.sub(rb"\?v=[0-9a-f]{8}", b"", p.read_bytes()) for name, p in sorted(files.items())}


class Running:
    def __init__(self, root: Path):
        env = dict(os.environ, PYTHONPATH=str(root / "helpers"), LMP_KERNEL_PRELOAD="tinyhelp")
        self.proc = subprocess.Popen([sys.executable, "-c", WATCHER, str(root)], cwd=root, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, pattern: str, timeout: float = 120) -> str:
        """The next output line matching `pattern` (lines before it are kept in self.seen)."""
        end = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in {timeout} s; seen: {self.seen[-10:]}") from None
            if line is None:
                raise AssertionError(f"watcher exited ({self.proc.wait()}); seen: {self.seen[-10:]}")
            self.seen.append(line)
            if re.search(pattern, line):
                return line


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = tmp_path_factory.mktemp("watch") / "bok"
    write_sources(root)
    watcher = Running(root)
    watcher.wait_for(r"første bygging: 1 notebook\(er\) kjørt \([\d.]+ s\), \d+ side\(r\) skrevet")
    yield root, watcher
    if watcher.proc.poll() is None:
        watcher.proc.kill()
        watcher.proc.wait()


def edit(path: Path, text: str, **kw) -> None:
    time.sleep(0.05)  # a new mtime even on coarse clocks
    write_notebook(path, text, **kw)


def test_one_chapter_edit_gives_the_site_a_fresh_build_gives(book, tmp_path):
    root, watcher = book
    edit(root / "notebooks" / "kap.ipynb", "Endret tekst etter første bygging.")
    line = watcher.wait_for(r"endret notebooks/kap\.ipynb")
    assert "1 notebook(er) kjørt" in line and "side(r) skrevet" in line and "s i alt →" in line, line
    fresh = tmp_path / "bok"
    fresh.mkdir()
    for name in ("_config.yml", "_toc.yml", "Makefile", "forside.md", "notebooks", "helpers"):
        src = root / name
        shutil.copytree(src, fresh / name) if src.is_dir() else shutil.copy2(src, fresh / name)
    env = dict(os.environ, PYTHONPATH=str(fresh / "helpers"))
    subprocess.run([sys.executable, "-c", FRESH_RUN, str(fresh)], cwd=fresh, env=env, check=True,
                   capture_output=True)
    subprocess.run([str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going", "-q"], cwd=fresh,
                   env=env, check=True, capture_output=True)
    ours, theirs = site_files(root), site_files(fresh)
    assert "html/generated/pulje-alle/kap.html" in ours
    assert b"Endret tekst etter f" in ours["html/generated/pulje-alle/kap.html"]
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_failing_notebook_is_named_and_the_watcher_goes_on(book):
    root, watcher = book
    nb = root / "notebooks" / "kap.ipynb"
    edit(nb, "Feil.", code="raise ValueError('testfeil i cellen')")
    line = watcher.wait_for(r"lmp run feilet")
    assert "kap.ipynb" in line and "celle 3" in line and "ValueError: testfeil i cellen" in line, line
    assert "nettstedet er ikke oppdatert" in line
    edit(nb, "Rettet igjen.")
    line = watcher.wait_for(r"endret notebooks/kap\.ipynb")
    assert "1 notebook(er) kjørt" in line, line
    assert b"Rettet igjen." in (root / "_build" / "html" / "generated" / "pulje-alle" / "kap.html").read_bytes()


def test_helper_edit_restarts_and_the_next_output_shows_the_new_code(book):
    root, watcher = book
    page = root / "_build" / "html" / "generated" / "pulje-alle" / "kap.html"
    assert b"verdi 1" in page.read_bytes()
    pid = watcher.proc.pid
    time.sleep(0.05)
    (root / "helpers" / "tinyhelp.py").write_text("VALUE = 2\n", encoding="utf-8")
    edit(root / "notebooks" / "kap.ipynb", "Etter endret hjelpekode.")  # so that the cache runs it again
    deadline = time.monotonic() + 120
    while b"Etter endret hjelpekode." not in page.read_bytes():
        watcher.wait_for(r"notebook\(er\) kjørt", timeout=max(1, deadline - time.monotonic()))
    text = page.read_bytes()
    assert b"verdi 2" in text and b"verdi 1" not in text
    assert any("starter på nytt" in line for line in watcher.seen)
    assert watcher.proc.pid == pid and watcher.proc.poll() is None


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def test_ctrl_c_stops_the_watcher_and_its_parents(book):
    _, watcher = book
    started = _descendants(watcher.proc.pid)
    assert len(started) >= 2  # the Sphinx parent and the warm kernel parent
    watcher.proc.send_signal(signal.SIGINT)
    watcher.wait_for(r"lmp watch: avsluttet", timeout=30)
    assert watcher.proc.wait(timeout=30) == 0
    time.sleep(0.5)
    alive = {pid for pid in started if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]}
    assert alive == set()


@pytest.mark.parametrize("args, message", [
    (["--min-n", "0"], "ugyldig min_n 0"),
    (["--data", "finnes/ikke"], "datamappa finnes ikke: finnes/ikke"),
    (["--pulje", "4"], "pulje"),
    (["--interval", "0"], "ugyldig --interval 0"),
])
def test_bad_arguments_stop_at_once_with_lmp_runs_message(args, message, capsys):
    from lmp_helpers.cli import main

    assert main(["watch", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lmp watch: feil: ") and message in err, err


def test_what_restarts_and_what_only_rebuilds():
    assert needs_restart(["lmp_helpers/figures.py", "book/_ext/lmp_site.py", "_config.yml", "data/codebook.yml",
                          "data/quotes.csv"]) == ["lmp_helpers/figures.py", "book/_ext/lmp_site.py", "_config.yml",
                                                  "data/codebook.yml", "data/quotes.csv"]
    assert needs_restart(["notebooks/praksisendring.ipynb", "data/synthetic/ppt.csv", "_toc.yml",
                          "book/references.bib", "book/_static/x.css", "lmp_helpers/notes.txt"]) == []


def test_scan_sees_new_changed_and_removed_files_but_not_hidden_ones(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("1")
    (tmp_path / "a" / "__pycache__").mkdir()
    before = scan(tmp_path, [tmp_path / "a"], [tmp_path / "top.yml"])
    time.sleep(0.01)
    (tmp_path / "a" / "x.txt").write_text("22")
    (tmp_path / "a" / "y.txt").write_text("new")
    (tmp_path / "a" / ".hidden").write_text("no")
    (tmp_path / "a" / "__pycache__" / "m.pyc").write_text("no")
    (tmp_path / "a" / "sphinx.mo").write_text("compiled by the build")
    (tmp_path / "top.yml").write_text("t")
    after = scan(tmp_path, [tmp_path / "a"], [tmp_path / "top.yml"])
    assert changed(before, after) == ["a/x.txt", "a/y.txt", "top.yml"]
    (tmp_path / "a" / "y.txt").unlink()
    assert changed(after, scan(tmp_path, [tmp_path / "a"], [tmp_path / "top.yml"])) == ["a/y.txt"]
