"""`lmp run`: execute every chapter notebook once per pulje with papermill, in parallel, with a cache.

Layout of the output folder (default `generated/`, which `_toc.yml` includes):

    generated/pulje-1/<chapter>.ipynb … generated/pulje-alle/<chapter>.ipynb   one per chapter and pulje
    generated/vedlegg/<appendix>.ipynb                                        appendices, once, pulje «alle»

Cache: every output notebook stores the hash of everything that can change it (the source notebook's bytes,
the parameters, every data file, the helper code and data/*.yml|csv) in `metadata.lmp.cache_key`. A job whose
output already carries the same key is skipped, so «nothing changed» costs only hashing.

One run = one state: the run builds a staging copy of the output folder (unchanged notebooks hard-linked, so
the cache and Sphinx's incremental build still see them unchanged), writes the executed notebooks and
datakilde.md into it and swaps it in at the end in one rename, under a lock (`lmp_helpers.staging`). A failing
notebook stops the run and raises LmpError naming the notebook, the cell and the error; the old output stays
untouched, and so it does when the run is killed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from lmp_helpers.errors import LmpError, LmpInputError
from lmp_helpers.paths import DATA_DIR, NOTEBOOKS_DIR, PACKAGE_DIR, PROJECT_ROOT, SYNTHETIC_DIR
from lmp_helpers.pulje import Pulje, allowed_pulje, parse_pulje, pulje_slug

# Report order. Each runs once per pulje.
CHAPTERS: tuple[str, ...] = (
    "sammendrag", "introduksjon", "kunnskapstilforsel", "praksisendring", "ppts_rolle", "oppsummering",
)
# Appendices run once, for all pulje together. `utforsk` is helper E's explorer; it is run when it exists.
APPENDICES: tuple[str, ...] = ("pulje_sammenligning", "revisjon", "kodebok", "syntetiske_data")
OPTIONAL_APPENDICES: tuple[str, ...] = ("utforsk",)
APPENDIX_DIR = "vedlegg"
DEFAULT_OUT = PROJECT_ROOT / "generated"
KERNEL_NAME = "python3"
CACHE_FORMAT = "lmp-run-1"
# Written last by a successful run: the run key of what the folder holds (lets «nothing changed» skip work).
RUN_STAMP = "lmp-run.json"
TAIL_BYTES = 8192  # the end of an output notebook, which holds its metadata (see stored_key)
# The kernels' own log lines (TCP notice, «KeyboardInterrupt caught» at shutdown) would bury the run's
# output; real errors still surface through papermill as cell errors.
KERNEL_QUIET = ["--IPKernelApp.log_level=CRITICAL"]  # bump when the post-processing below changes what gets written

# papermill gives its injected parameters cell a random id; this one makes two runs write the same bytes.
INJECTED_CELL_ID = "injected-parameters"

LABEL_TARGET = re.compile(r"^\((?P<label>[A-Za-z0-9_.:-]+)\)=\s*$", re.MULTILINE)
LABEL_REF = re.compile(r"\{(?P<role>numref|ref)\}`(?P<body>[^`]*)`")


@dataclass(frozen=True)
class Job:
    """One notebook execution: a source notebook, its parameters and where the output goes."""

    name: str
    source: Path
    output: Path
    pulje: Pulje
    parameters: dict = field(hash=False)
    is_chapter: bool = True

    @property
    def label(self) -> str:
        where = "vedlegg" if not self.is_chapter else pulje_slug(self.pulje)
        return f"{where}/{self.name}"


@dataclass
class RunResult:
    executed: list[Job] = field(default_factory=list)
    skipped: list[Job] = field(default_factory=list)
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------------------
# Validation (before anything runs or is written)


def parse_pulje_list(values: Iterable[object] | None) -> list[Pulje]:
    """Validate every requested pulje; duplicates removed, order kept. Raises before any work starts."""
    if values is None:
        values = allowed_pulje()
    values = list(values)
    if not values:
        raise LmpInputError(f"ingen pulje oppgitt; tillatt: {', '.join(allowed_pulje())}")
    out: list[Pulje] = []
    for value in values:
        # `--pulje 1,2` is a common slip: accept comma lists too.
        parts = value.split(",") if isinstance(value, str) else [value]
        for part in parts:
            p = parse_pulje(part)
            if p not in out:
                out.append(p)
    return out


def _resolve_data_dir(data: str | os.PathLike | None) -> Path | None:
    """None means the shipped synthetic data. A given folder must exist."""
    if data is None or str(data) == "":
        return None
    path = Path(data).expanduser()
    if not path.is_absolute():
        path = (Path.cwd() / path).resolve()
    if not path.exists():
        raise LmpInputError(
            f"datamappa finnes ikke: {data} (oppgi en mappe med ppt.csv, skoleleder.csv, skoleeier.csv)"
        )
    if not path.is_dir():
        raise LmpInputError(f"--data må være en mappe, ikke en fil: {data}")
    if path.resolve() == SYNTHETIC_DIR.resolve():
        return None
    return path


def _check_min_n(min_n: object) -> int:
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise LmpInputError(f"ugyldig min_n {min_n!r}; må være et helt tall ≥ 1 (standard 5)")
    return min_n


def _check_jobs(jobs: object) -> int:
    if jobs is None:
        return max(1, os.cpu_count() or 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise LmpInputError(f"ugyldig --jobs {jobs!r}; må være et helt tall ≥ 1")
    return jobs


# ---------------------------------------------------------------------------------------------------------
# Jobs and cache keys


def plan_jobs(
    pulje: Sequence[Pulje],
    out_dir: Path,
    data_dir: Path | None,
    min_n: int,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    chapters: Sequence[str] = CHAPTERS,
    appendices: Sequence[str] | None = None,
) -> list[Job]:
    """Every (notebook, pulje) execution of a run, chapters first (they dominate the time)."""
    missing = [c for c in chapters if not (notebooks_dir / f"{c}.ipynb").is_file()]
    if missing:
        raise LmpError(f"mangler kapittelnotebook(er) i {notebooks_dir}: {', '.join(m + '.ipynb' for m in missing)}")
    if appendices is None:
        appendices = list(APPENDICES) + [a for a in OPTIONAL_APPENDICES if (notebooks_dir / f"{a}.ipynb").is_file()]
    data_param = str(data_dir) if data_dir is not None else None
    jobs: list[Job] = []
    for p in pulje:
        for chapter in chapters:
            jobs.append(
                Job(
                    name=chapter,
                    source=notebooks_dir / f"{chapter}.ipynb",
                    output=out_dir / pulje_slug(p) / f"{chapter}.ipynb",
                    pulje=p,
                    parameters={"pulje": p, "data_dir": data_param, "min_n": min_n},
                )
            )
    for appendix in appendices:
        source = notebooks_dir / f"{appendix}.ipynb"
        if not source.is_file():
            raise LmpError(f"mangler vedleggsnotebook: {source}")
        jobs.append(
            Job(
                name=appendix,
                source=source,
                output=out_dir / APPENDIX_DIR / f"{appendix}.ipynb",
                pulje="alle",
                parameters={"pulje": "alle", "data_dir": data_param, "min_n": min_n},
                is_chapter=False,
            )
        )
    return jobs


def _hash_files(h, files: Iterable[Path], root: Path) -> None:
    for path in sorted(files):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")


def shared_inputs_digest(data_dir: Path | None) -> str:
    """Hash of the inputs every job shares: data files, data/*.yml|csv, helper code.

    Computed once per run (not per job), so a no-change run costs one pass over a few small files.
    """
    h = hashlib.sha256(CACHE_FORMAT.encode())
    survey_dir = data_dir if data_dir is not None else SYNTHETIC_DIR
    if survey_dir.is_dir():
        survey_files = [p for p in survey_dir.rglob("*") if p.is_file() and not p.name.startswith(".")]
        h.update(b"survey:")
        _hash_files(h, survey_files, survey_dir)
    project_files = [p for p in DATA_DIR.glob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".csv"}]
    h.update(b"project-data:")
    _hash_files(h, project_files, DATA_DIR)
    h.update(b"helpers:")
    _hash_files(h, PACKAGE_DIR.glob("*.py"), PACKAGE_DIR)
    return h.hexdigest()


def cache_key(job: Job, shared_digest: str) -> str:
    h = hashlib.sha256(shared_digest.encode())
    h.update(job.source.read_bytes())
    h.update(json.dumps(job.parameters, sort_keys=True, default=str).encode())
    h.update(job.label.encode())
    return h.hexdigest()


def stored_key(path: Path) -> str | None:
    """The cache key recorded in an output notebook, or None if absent/unreadable.

    The notebook-level metadata comes last in the files nbformat writes (one-space indent, so the line
    `\n "metadata": {` is the top level's): reading the tail spares parsing megabytes of figures on a run
    where nothing changed. Anything unexpected falls back to parsing the whole file."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - TAIL_BYTES))
            tail = fh.read()
        start = tail.rfind(b'\n "metadata": {')
        if start >= 0:
            nb = json.loads(b"{" + tail[start + 1:])
            if isinstance(nb, dict) and "nbformat" in nb:
                return nb.get("metadata", {}).get("lmp", {}).get("cache_key")
    except (OSError, ValueError, AttributeError):
        pass
    try:
        with open(path, encoding="utf-8") as fh:
            nb = json.load(fh)
        return nb.get("metadata", {}).get("lmp", {}).get("cache_key")
    except (OSError, ValueError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------------------------
# Post-processing of an executed notebook for the book


def _labels_in(nb) -> set[str]:
    labels: set[str] = set()
    for cell in nb.cells:
        fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if isinstance(fig, dict) and fig.get("name"):
            labels.add(fig["name"])
        if cell.cell_type == "markdown":
            labels.update(m.group("label") for m in LABEL_TARGET.finditer(cell.source))
    return labels


def chapter_labels(notebooks_dir: Path = NOTEBOOKS_DIR, chapters: Sequence[str] = CHAPTERS) -> set[str]:
    """Labels (figure names, `(target)=`) defined in the chapter notebooks: they get a pulje suffix."""
    import nbformat

    labels: set[str] = set()
    for chapter in chapters:
        path = notebooks_dir / f"{chapter}.ipynb"
        if path.is_file():
            labels |= _labels_in(nbformat.read(path, as_version=4))
    return labels


def _suffix_refs(text: str, labels: set[str], suffix: str) -> str:
    def ref(m: re.Match) -> str:
        body = m.group("body")
        inner = re.match(r"^(?P<title>.*<)(?P<label>[^<>]+)>$", body, re.DOTALL)
        if inner and inner.group("label") in labels:
            body = f"{inner.group('title')}{inner.group('label')}{suffix}>"
        elif body in labels:
            body = body + suffix
        return f"{{{m.group('role')}}}`{body}`"

    text = LABEL_REF.sub(ref, text)
    return LABEL_TARGET.sub(
        lambda m: f"({m.group('label')}{suffix})=" if m.group("label") in labels else m.group(0), text
    )


def _public_parameters(source: str, job: Job) -> str:
    """The injected parameters as the published notebook source shows them: the data folder by its name
    only, since the absolute path names the machine (and user) that built the book."""
    data_dir = job.parameters.get("data_dir")
    if not data_dir:
        return source
    name = json.dumps(Path(data_dir).name, ensure_ascii=False)
    return re.sub(r"^data_dir = .*$", lambda _: f"data_dir = {name}", source, flags=re.MULTILINE)


def postprocess(nb, job: Job, key: str, labels: set[str]) -> None:
    """Make an executed notebook fit for the book (in place).

    - the papermill-injected parameters cell is removed from the page (`remove-cell`);
    - per-pulje variants get pulje-specific labels (the same figure exists once per pulje, and Sphinx
      labels must be unique), and the pulje in the page title;
    - run metadata that changes every time (timestamps, durations, paths) is dropped, and the injected
      cell gets a fixed id (papermill draws a random one), so the output bytes depend only on the inputs.
    """
    suffix = "" if (not job.is_chapter or job.pulje == "alle") else f"-{pulje_slug(job.pulje)}"
    title_done = False
    for cell in nb.cells:
        meta = cell.setdefault("metadata", {})
        meta.pop("papermill", None)
        meta.pop("execution", None)
        tags = meta.get("tags", [])
        if "injected-parameters" in tags:
            if "remove-cell" not in tags:
                meta["tags"] = [*tags, "remove-cell"]
            cell.source = _public_parameters(cell.source, job)
            if "id" in cell:  # nbformat ≥ 4.5 notebooks carry cell ids
                cell.id = INJECTED_CELL_ID
        if suffix:
            fig = meta.get("mystnb", {}).get("figure")
            if isinstance(fig, dict) and fig.get("name") in labels:
                fig["name"] = fig["name"] + suffix
            if cell.cell_type == "markdown":
                cell.source = _suffix_refs(cell.source, labels, suffix)
                if not title_done:
                    new, n = re.subn(r"^# (.+)$", rf"# \1 – Pulje {job.pulje}", cell.source, count=1, flags=re.M)
                    if n:
                        cell.source, title_done = new, True
    nb.metadata.pop("papermill", None)
    nb.metadata["lmp"] = {
        "cache_key": key,
        "notebook": job.name,
        "pulje": str(job.pulje),
        "min_n": job.parameters["min_n"],
    }


# ---------------------------------------------------------------------------------------------------------
# Execution


def atomic_write_notebook(nb, path: Path) -> None:
    """Write next to the target, then os.replace: readers never see a half-written notebook."""
    import nbformat

    from lmp_helpers.staging import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, nbformat.writes(nb) + "\n")


def _source_cell_number(source: Path, executed_index: int) -> int:
    """1-based cell number in the source notebook (papermill's injected cell shifts later cells by one)."""
    import nbformat

    try:
        cells = nbformat.read(source, as_version=4).cells
    except Exception:  # noqa: BLE001 - the number is a courtesy; never hide the real error
        return executed_index + 1
    params = next((i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    shift = 1 if params is None or executed_index > params else 0
    return executed_index - shift + 1


def _describe_failure(job: Job, exc: BaseException) -> LmpError:
    from papermill.exceptions import PapermillExecutionError

    where = f"{job.source.relative_to(PROJECT_ROOT) if job.source.is_relative_to(PROJECT_ROOT) else job.source}"
    if isinstance(exc, PapermillExecutionError):
        first_line = (exc.source or "").strip().splitlines()[:1]
        code = f" «{first_line[0][:80]}»" if first_line else ""
        number = _source_cell_number(job.source, exc.cell_index)
        detail = f"{exc.ename}: {exc.evalue}".strip()
        if not str(exc.evalue).strip():  # e.g. a dead kernel: the traceback's last line says more
            lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in (exc.traceback or [])]
            lines = [line for chunk in lines for line in chunk.splitlines() if line.strip()]
            if lines:
                detail = f"{exc.ename}: {lines[-1]}"
        return LmpError(f"{where} (pulje {job.pulje}) feilet i celle {number}{code}: {detail}")
    return LmpError(f"{where} (pulje {job.pulje}) kunne ikke kjøres: {type(exc).__name__}: {exc}")


def execute_job(job: Job, key: str, labels: set[str], cwd: Path = PROJECT_ROOT) -> Job:
    # papermill in a pre-started kernel forked from a warm parent (imports paid once per run, one fresh
    # process per notebook; see lmp_helpers/kernel_pool.py)
    from lmp_helpers import kernel_pool

    try:
        nb = kernel_pool.execute_notebook(
            str(job.source),
            None,  # nothing written by papermill itself: we write atomically after post-processing
            parameters=job.parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            cwd=str(cwd),
            extra_arguments=KERNEL_QUIET,
        )
    except Exception as exc:  # noqa: BLE001 - turned into one specific LmpError below
        raise _describe_failure(job, exc) from exc
    postprocess(nb, job, key, labels)
    atomic_write_notebook(nb, job.output)
    return job


def run(
    pulje: Iterable[object] | None = None,
    data: str | os.PathLike | None = None,
    min_n: int = 5,
    jobs: int | None = None,
    out: str | os.PathLike | None = None,
    force: bool = False,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    chapters: Sequence[str] = CHAPTERS,
    appendices: Sequence[str] | None = None,
    log=print,
    downloads: bool | None = None,
) -> RunResult:
    """Execute every chapter for each pulje (and the appendices once). See module docstring.

    `downloads`: also write the book's downloads (lmp_helpers.downloads) into the same state; by default
    when the run executes the book's own chapters (the pages link them)."""
    start = time.perf_counter()
    # Validate every argument before touching the disk.
    pulje_list = parse_pulje_list(pulje)
    data_dir = _resolve_data_dir(data)
    min_n = _check_min_n(min_n)
    n_jobs = _check_jobs(jobs)
    from lmp_helpers.staging import check_out_dir, staged_output

    out_dir = check_out_dir(out) if out is not None else DEFAULT_OUT
    # checks the notebooks
    planned = plan_jobs(pulje_list, out_dir, data_dir, min_n, notebooks_dir, chapters, appendices)
    try:
        digest: str | None = shared_inputs_digest(data_dir)
        keys = [cache_key(job, digest) for job in planned]
        pending = [job for job, key in zip(planned, keys, strict=True) if force or stored_key(job.output) != key]
    except OSError:  # an unreadable input: the validation below says which, clearly
        digest, keys, pending = None, [], planned
    if not pending and _stamp_matches(out_dir, run_key(planned, keys)):
        # Nothing changed since the last successful run with these arguments: its outputs (datakilde.md
        # included) are what this run would write, and its data passed validation. No pandas, no staging.
        result = RunResult(skipped=planned, seconds=time.perf_counter() - start)
        log(f"lmp run: 0 kjørt, {len(planned)} uendret (cache), {result.seconds:.1f} s → {out_dir}")
        return result
    if pending:
        _start_kernels(min(n_jobs, len(pending)), len(pending))  # imports overlap the validation and copying below
    # Bad data should fail once, clearly, before anything is written (not once per notebook).
    from lmp_helpers.data import load_survey

    survey = load_survey(data_dir)
    if downloads is None:
        downloads = tuple(chapters) == CHAPTERS
    # One run = one state: everything is built in a staging copy of out_dir and swapped in at the end.
    with staged_output(out_dir, "lmp run") as stage:
        result = _run_staged(stage, pulje_list, data_dir, min_n, n_jobs, force, notebooks_dir, chapters,
                             appendices, log, digest)
        if downloads:
            from lmp_helpers.downloads import write_downloads

            write_downloads(stage, pulje_list, data_dir, min_n, survey)
    result.seconds = time.perf_counter() - start
    log(
        f"lmp run: {len(result.executed)} kjørt, {len(result.skipped)} uendret (cache), "
        f"{result.seconds:.1f} s → {out_dir}"
    )
    return result


def run_key(planned: Sequence[Job], keys: Sequence[str]) -> str:
    """One hash for a whole run: which outputs it plans (pulje, out folder) and every job's cache key."""
    h = hashlib.sha256(CACHE_FORMAT.encode())
    for job, key in zip(planned, keys, strict=True):
        h.update(f"{job.output.name}\0{job.label}\0{key}\n".encode())
    return h.hexdigest()


def _stamp_matches(out_dir: Path, key: str) -> bool:
    try:
        stamp = json.loads((out_dir / RUN_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and stamp.get("run_key") == key and (out_dir / "datakilde.md").is_file()


def _start_kernels(size: int, notebooks: int) -> None:
    """Start the warm kernel parent now (it imports for a few seconds on its own core); execute_job's
    notebooks then find kernels ready, and no more than `notebooks` are forked ahead."""
    from lmp_helpers import kernel_pool

    if kernel_pool.warm_kernels_enabled():
        kernel_pool.shared_pool(PROJECT_ROOT, KERNEL_NAME, KERNEL_QUIET, size=size, expect=notebooks)


def _run_staged(stage, pulje_list, data_dir, min_n, n_jobs, force, notebooks_dir, chapters, appendices,
                log, digest) -> RunResult:
    planned = plan_jobs(pulje_list, stage, data_dir, min_n, notebooks_dir, chapters, appendices)
    write_source_note(stage, data_dir)
    digest = digest or shared_inputs_digest(data_dir)
    todo: list[tuple[Job, str]] = []
    keys: list[str] = []
    result = RunResult()
    for job in planned:
        key = cache_key(job, digest)
        keys.append(key)
        if not force and job.output.is_file() and stored_key(job.output) == key:
            result.skipped.append(job)
        else:
            todo.append((job, key))

    if todo:
        labels = chapter_labels(notebooks_dir, chapters)
        log(f"lmp run: kjører {len(todo)} notebook(er) med {min(n_jobs, len(todo))} parallelle jobber "
            f"({len(result.skipped)} uendret)")
        with ThreadPoolExecutor(max_workers=min(n_jobs, len(todo))) as pool:
            futures = {pool.submit(execute_job, job, key, labels): job for job, key in todo}
            try:
                for future in as_completed(futures):
                    job = future.result()  # raises the job's LmpError: stop the run
                    result.executed.append(job)
                    log(f"  kjørt: {job.label}")
            except BaseException:
                # Stop: drop what has not started; kernels already running finish (their outputs are valid).
                for f in futures:
                    f.cancel()
                raise
    from lmp_helpers.staging import write_atomic

    # The stamp says: everything in this folder is what a run with these inputs writes (see run()).
    write_atomic(stage / RUN_STAMP, json.dumps({"run_key": run_key(planned, keys)}) + "\n")
    return result


def source_note(data_dir: Path | None) -> str:
    """The data-source box the book's Markdown pages include (generated/datakilde.md)."""
    from lmp_helpers.data import data_source

    src = data_source(data_dir)
    if src.get("kind") == "synthetic":
        return (
            ":::{admonition} Syntetiske data – ikke funn fra evalueringen\n:class: warning\n"
            f"Boka er bygget på **{src['label']}**. Tallene er laget for å etterligne rapportens publiserte tall "
            "og viser at beregningene virker; de er ikke svar fra ekte respondenter og skal ikke leses som funn.\n"
            ":::\n"
        )
    return f":::{{admonition}} Datagrunnlag\n:class: note\nBoka er bygget på **{src['label']}**.\n:::\n"


def write_source_note(out_dir: Path, data_dir: Path | None) -> Path:
    path = out_dir / "datakilde.md"
    text = source_note(data_dir)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        from lmp_helpers.staging import write_atomic

        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    return path


def cli_run(args: argparse.Namespace) -> int:
    run(
        pulje=args.pulje,
        data=args.data,
        min_n=args.min_n,
        jobs=args.jobs,
        out=args.out,
        force=args.force,
    )
    return 0


# ---------------------------------------------------------------------------------------------------------
# Committed outputs of the source notebooks (pulje «alle», synthetic data), for nbval


def refresh_source_outputs(names: Sequence[str] | None = None, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Execute source notebooks in place with their default parameters and keep the outputs.

    No parameters are injected (the defaults are pulje «alle» and the synthetic data), and run metadata
    is stripped, so re-running on unchanged inputs gives byte-identical files.
    """
    import nbformat
    import papermill as pm

    names = list(names) if names else list(CHAPTERS) + list(APPENDICES)
    written = []
    for name in names:
        path = notebooks_dir / f"{name}.ipynb"
        try:
            nb = pm.execute_notebook(
                str(path), None, kernel_name=KERNEL_NAME, progress_bar=False, cwd=str(PROJECT_ROOT),
                extra_arguments=KERNEL_QUIET,
            )
        except Exception as exc:  # noqa: BLE001
            job = Job(name, path, path, "alle", {"min_n": 5}, is_chapter=name in CHAPTERS)
            raise _describe_failure(job, exc) from exc
        for cell in nb.cells:
            cell.metadata.pop("papermill", None)
            cell.metadata.pop("execution", None)
        nb.metadata.pop("papermill", None)
        nbformat.validate(nb)
        atomic_write_notebook(nb, path)
        written.append(path)
    return written


if __name__ == "__main__":  # `python -m lmp_helpers.runner refresh [names...]`
    if len(sys.argv) >= 2 and sys.argv[1] == "refresh":
        for p in refresh_source_outputs(sys.argv[2:] or None):
            print(f"oppdatert: {p.relative_to(PROJECT_ROOT)}")
    else:
        print("bruk: python -m lmp_helpers.runner refresh [notebook ...]", file=sys.stderr)
        sys.exit(2)
