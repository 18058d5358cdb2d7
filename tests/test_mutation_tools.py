"""The scripts around `make mutate`: the per-module test selection (scripts/mutation_select.py,
tests/mutation/selection.toml) and the plan of which mutants a run tests (scripts/mutation_plan.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mutation_select = _script("mutation_select")
mutation_plan = _script("mutation_plan")

FIG = "tests/test_figures.py::test_bars"
TAB = "tests/test_tables.py::test_counts"
OTHER = "tests/test_claims.py::test_claim"


def _stats():
    return {
        "tests_by_mangled_function_name": {
            "lmp_helpers.tables.x_figure_table": [OTHER, FIG, TAB],
            "lmp_helpers.figures.x_plot_figure": [FIG, TAB],
            "lmp_helpers.book.xǁChapterǁstart": [FIG],
        },
        "duration_by_test": {FIG: 2.5, TAB: 0.25, OTHER: 0.5},
        "stats_time": 1.0,
    }


def test_a_test_file_listed_runs_only_for_its_modules():
    narrowed, removed = mutation_select.select(_stats(), {"tests/test_figures.py": {"figures"}})
    tests = narrowed["tests_by_mangled_function_name"]
    assert tests["lmp_helpers.tables.x_figure_table"] == sorted([OTHER, TAB])
    assert tests["lmp_helpers.figures.x_plot_figure"] == sorted([FIG, TAB])
    assert tests["lmp_helpers.book.xǁChapterǁstart"] == []
    assert removed == {"tables": (1, 2.5), "book": (1, 2.5)}
    # everything else in the stats stays as mutmut wrote it
    assert narrowed["duration_by_test"] == _stats()["duration_by_test"]
    assert narrowed["stats_time"] == 1.0


def test_narrowing_twice_changes_nothing():
    rules = {"tests/test_figures.py": {"figures"}}
    once, _ = mutation_select.select(_stats(), rules)
    twice, removed = mutation_select.select(once, rules)
    assert twice == once
    assert removed == {}


def test_without_rules_the_map_is_mutmuts():
    narrowed, removed = mutation_select.select(_stats(), {})
    assert removed == {}
    assert {f: sorted(t) for f, t in _stats()["tests_by_mangled_function_name"].items()} == (
        narrowed["tests_by_mangled_function_name"])


def test_main_rewrites_the_stats_file_and_reports(tmp_path, capsys):
    path = tmp_path / "mutmut-stats.json"
    path.write_text(json.dumps(_stats()), encoding="utf-8")
    assert mutation_select.main([str(path)]) == 0
    written = json.loads(path.read_text(encoding="utf-8"))
    # the shipped rules keep test_figures.py for figures only
    assert FIG not in written["tests_by_mangled_function_name"]["lmp_helpers.tables.x_figure_table"]
    assert FIG in written["tests_by_mangled_function_name"]["lmp_helpers.figures.x_plot_figure"]
    assert "tables: 1 test-funksjon-par fjernet (2.5 s)" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["mutmut-stats.json"]


def test_the_shipped_rules_name_existing_files_and_modules():
    rules = mutation_select.load_rules()
    assert rules  # the selection exists; load_rules checked every file and module named
    selection = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for file in rules:
        assert f'"{file}"' in selection, f"{file} is not in pytest_add_cli_args_test_selection"


@pytest.mark.parametrize(("text", "message"), [
    ('[only_for]\n"tests/nope.py" = ["figures"]\n', "nevner tests/nope.py, som ikke finnes"),
    ('[only_for]\n"tests/test_figures.py" = ["figurer"]\n', "moduler som ikke finnes: ['figurer']"),
    ('[only_for]\n"tests/test_figures.py" = []\n', "må være en ikke-tom liste av modulnavn"),
    ('[only_for]\n"tests/test_figures.py" = "figures"\n', "må være en ikke-tom liste av modulnavn"),
    ('[skip]\n"tests/test_figures.py" = ["figures"]\n', "ukjent tabell ['skip']; tillatt er [only_for]"),
    ('[only_for\n', "ugyldig TOML"),
])
def test_bad_rules_are_named(tmp_path, text, message):
    path = tmp_path / "selection.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as error:
        mutation_select.load_rules(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_an_unexpected_function_name_is_refused():
    with pytest.raises(ValueError, match="uventet funksjonsnavn 'other.x_f'"):
        mutation_select.module_of("other.x_f")


# -- mutation_plan: recorded survivors of unchanged functions are not run again ---------------------------

REASONS_HEAD = "# mutant name<TAB>equivalent|left<TAB>reason[<TAB>fingerprint]\n"


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A mutants/ folder with two files' metas and a survivors.tsv; fingerprints are looked up in a dict."""
    mutants = tmp_path / "mutants" / "lmp_helpers"
    mutants.mkdir(parents=True)
    codes = {
        "stats.py": {f"lmp_helpers.stats.x_f__mutmut_{i}": c for i, c in enumerate([0, 0, 1, None, 0], start=1)},
        "tables.py": {f"lmp_helpers.tables.x_g__mutmut_{i}": c for i, c in enumerate([0, 1, 1], start=1)},
    }
    for file, by_key in codes.items():
        meta = {"exit_code_by_key": by_key, "hash_by_function_name": {"x_f": "aaa", "x_g": "bbb"}}
        (mutants / f"{file}.meta").write_text(json.dumps(meta), encoding="utf-8")
    reasons = tmp_path / "survivors.tsv"
    monkeypatch.setattr(mutation_plan, "MUTANTS", tmp_path / "mutants")
    monkeypatch.setattr(mutation_plan, "NOT_RERUN", tmp_path / "mutants" / "not-rerun.tsv")
    monkeypatch.setattr(mutation_plan, "REASONS", reasons)
    prints = {f"lmp_helpers.stats.x_f__mutmut_{i}": f"fp-f{i}" for i in range(1, 6)}
    prints |= {f"lmp_helpers.tables.x_g__mutmut_{i}": f"fp-g{i}" for i in range(1, 4)}
    seen = []

    def fingerprint(name, path, meta):
        seen.append((name, path))
        return prints[name]

    monkeypatch.setattr(mutation_plan, "fingerprint", fingerprint)
    return {"reasons": reasons, "prints": prints, "seen": seen, "mutants": tmp_path / "mutants"}


def test_an_unchanged_recorded_survivor_is_left_out_and_a_changed_one_runs(project):
    project["reasons"].write_text(REASONS_HEAD + "\n".join([
        "lmp_helpers.stats.x_f__mutmut_1\tequivalent\twhy 1\tfp-f1",      # unchanged: left out
        "lmp_helpers.stats.x_f__mutmut_2\tequivalent\twhy 2\tfp-OLD",     # mutation or function changed: runs
        "lmp_helpers.stats.x_f__mutmut_5\tequivalent\twhy 5",             # no fingerprint yet: runs
        "lmp_helpers.tables.x_g__mutmut_1\tleft\tneeds a test\tfp-g1",    # `left`, unchanged: left out too
        "lmp_helpers.tables.x_g__mutmut_2\tleft\tneeds a test\tfp-OLD",   # `left`, changed: runs
    ]) + "\n", encoding="utf-8")
    before = project["reasons"].read_text(encoding="utf-8")
    run, left_out = mutation_plan.plan("all", 16, untested_only=False, rerun_recorded=False)
    assert left_out == ["lmp_helpers.stats.x_f__mutmut_1\tfp-f1", "lmp_helpers.tables.x_g__mutmut_1\tfp-g1"]
    assert "lmp_helpers.stats.x_f__mutmut_1" not in run and "lmp_helpers.tables.x_g__mutmut_1" not in run
    assert len(run) == 6
    assert ("lmp_helpers.stats.x_f__mutmut_1", "lmp_helpers/stats.py") in project["seen"]
    assert project["reasons"].read_text(encoding="utf-8") == before  # nothing moved
    run, left_out = mutation_plan.plan("all", 16, untested_only=False, rerun_recorded=True)
    assert left_out == [] and len(run) == 8
    run, left_out = mutation_plan.plan("all", 16, untested_only=True, rerun_recorded=False)
    assert run == ["lmp_helpers.stats.x_f__mutmut_4"] and left_out == []


def test_main_writes_the_left_out_for_the_summary(project, capsys):
    project["reasons"].write_text(REASONS_HEAD + "lmp_helpers.tables.x_g__mutmut_1\tequivalent\twhy\tfp-g1\n",
                                  encoding="utf-8")
    assert mutation_plan.main([]) == 0
    out = capsys.readouterr()
    assert "lmp_helpers.tables.x_g__mutmut_1" not in out.out.split()
    assert len(out.out.split()) == 7
    assert "7 mutanter testes, 1 registrerte overlevende ikke kjørt på nytt" in out.err
    written = (project["mutants"] / "not-rerun.tsv").read_text(encoding="utf-8")
    assert written == "lmp_helpers.tables.x_g__mutmut_1\tfp-g1\n"


def test_a_sample_is_seeded_and_per_module(project):
    first, _ = mutation_plan.plan("2", 7, untested_only=False, rerun_recorded=False)
    again, _ = mutation_plan.plan("2", 7, untested_only=False, rerun_recorded=False)
    assert first == again and len(first) == 4
    assert sum(n.startswith("lmp_helpers.stats.") for n in first) == 2


def test_fingerprints_follow_the_run(project):
    project["reasons"].write_text(REASONS_HEAD + "\n".join([
        "lmp_helpers.stats.x_f__mutmut_1\tequivalent\tsurvived, no print yet",
        "lmp_helpers.stats.x_f__mutmut_2\tequivalent\tsurvived, old print\tfp-OLD",
        "lmp_helpers.stats.x_f__mutmut_3\tequivalent\tkilled now\tfp-f3",
        "lmp_helpers.stats.x_f__mutmut_4\tequivalent\tnot tested this time\tfp-f4",
        "lmp_helpers.stats.x_f__mutmut_5\tleft\tsurvived, but left",
        "lmp_helpers.tables.x_g__mutmut_1\tequivalent\tleft out this run\tfp-g1",
    ]) + "\n", encoding="utf-8")
    (project["mutants"] / "not-rerun.tsv").write_text("lmp_helpers.tables.x_g__mutmut_1\tfp-g1\n", encoding="utf-8")
    # _2 survived as another mutation than its reason was written for: kept as it is, and named
    assert mutation_plan.write_fingerprints() == (3, 1, ["lmp_helpers.stats.x_f__mutmut_2"])
    assert project["reasons"].read_text(encoding="utf-8") == REASONS_HEAD + "\n".join([
        "lmp_helpers.stats.x_f__mutmut_1\tequivalent\tsurvived, no print yet\tfp-f1",
        "lmp_helpers.stats.x_f__mutmut_2\tequivalent\tsurvived, old print\tfp-OLD",
        "lmp_helpers.stats.x_f__mutmut_3\tequivalent\tkilled now",
        "lmp_helpers.stats.x_f__mutmut_4\tequivalent\tnot tested this time\tfp-f4",
        "lmp_helpers.stats.x_f__mutmut_5\tleft\tsurvived, but left\tfp-f5",
        "lmp_helpers.tables.x_g__mutmut_1\tequivalent\tleft out this run\tfp-g1",
    ]) + "\n"


def test_a_row_follows_its_mutation_to_a_new_number(project):
    """A test that covers a new line of a function renumbers its mutants: the row moves with its fingerprint."""
    project["prints"] |= {  # _1 and _2 swapped numbers, _5's mutation is now _4's; _3's print exists twice
        "lmp_helpers.stats.x_f__mutmut_1": "fp-was-2", "lmp_helpers.stats.x_f__mutmut_2": "fp-was-1",
        "lmp_helpers.stats.x_f__mutmut_4": "fp-was-5", "lmp_helpers.stats.x_f__mutmut_5": "fp-new",
        "lmp_helpers.tables.x_g__mutmut_2": "fp-was-1",  # same print in another function: not a candidate
    }
    project["reasons"].write_text(REASONS_HEAD + "\n".join([
        "lmp_helpers.stats.x_f__mutmut_1\tequivalent\twhy 1\tfp-was-1",
        "lmp_helpers.stats.x_f__mutmut_2\tleft\twhy 2\tfp-was-2",
        "lmp_helpers.stats.x_f__mutmut_5\tequivalent\twhy 5\tfp-was-5",
        "lmp_helpers.tables.x_g__mutmut_3\tequivalent\tgone\tfp-nowhere",
    ]) + "\n", encoding="utf-8")
    run, left_out = mutation_plan.plan("all", 16, untested_only=False, rerun_recorded=False)
    assert project["reasons"].read_text(encoding="utf-8") == REASONS_HEAD + "\n".join([
        "lmp_helpers.stats.x_f__mutmut_2\tequivalent\twhy 1\tfp-was-1",
        "lmp_helpers.stats.x_f__mutmut_1\tleft\twhy 2\tfp-was-2",
        "lmp_helpers.stats.x_f__mutmut_4\tequivalent\twhy 5\tfp-was-5",
        "lmp_helpers.tables.x_g__mutmut_3\tequivalent\tgone\tfp-nowhere",
    ]) + "\n"
    assert sorted(n.split("\t")[0] for n in left_out) == [
        "lmp_helpers.stats.x_f__mutmut_1", "lmp_helpers.stats.x_f__mutmut_2", "lmp_helpers.stats.x_f__mutmut_4"]
    assert "lmp_helpers.tables.x_g__mutmut_3" in run and "lmp_helpers.stats.x_f__mutmut_5" in run


def test_a_move_onto_a_row_that_stays_is_refused(project):
    project["prints"]["lmp_helpers.stats.x_f__mutmut_2"] = "fp-was-1"
    project["reasons"].write_text(REASONS_HEAD + "\n".join([
        "lmp_helpers.stats.x_f__mutmut_1\tequivalent\twhy 1\tfp-was-1",
        "lmp_helpers.stats.x_f__mutmut_2\tequivalent\twhy 2",  # no fingerprint: stays where it is
    ]) + "\n", encoding="utf-8")
    before = project["reasons"].read_text(encoding="utf-8")
    with pytest.raises(SystemExit, match=r"ville overskrive rader som står: \['lmp_helpers.stats.x_f__mutmut_2'\]"):
        mutation_plan.plan("all", 16, untested_only=False, rerun_recorded=False)
    assert project["reasons"].read_text(encoding="utf-8") == before


@pytest.mark.parametrize("line", ["a\tequivalent", "a\tmaybe\twhy", "a\tleft\twhy\tfp\textra"])
def test_a_malformed_reason_row_is_named_with_its_line(project, line):
    project["reasons"].write_text(REASONS_HEAD + line + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as error:
        mutation_plan.read_rows()
    assert f"{project['reasons']}:2: en rad er «mutant<TAB>equivalent|left<TAB>begrunnelse" in str(error.value)


def test_the_shipped_reasons_parse():
    rows = [r for r in mutation_plan.read_rows() if len(r) > 1]
    assert len(rows) > 100  # every row is name, kind, reason and at most a fingerprint


# -- mutation_summary: recorded survivors that were not re-run keep their recorded kind --------------------


def test_the_summary_counts_a_left_out_survivor_as_its_recorded_kind(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import mutation_plan as plan_as_imported  # the module object mutation_summary itself imports
    import mutation_summary

    mutants = tmp_path / "mutants" / "lmp_helpers"
    mutants.mkdir(parents=True)
    codes = {f"lmp_helpers.stats.x_f__mutmut_{i}": c for i, c in enumerate([1, 0, None, None, 1], start=1)}
    (mutants / "stats.py.meta").write_text(json.dumps({"exit_code_by_key": codes}), encoding="utf-8")
    (tmp_path / "mutants" / "not-rerun.tsv").write_text(
        "lmp_helpers.stats.x_f__mutmut_3\tfp3\nlmp_helpers.stats.x_f__mutmut_4\tfp4\n", encoding="utf-8")
    reasons = tmp_path / "survivors.tsv"
    reasons.write_text(REASONS_HEAD + "\n".join([
        "lmp_helpers.stats.x_f__mutmut_3\tequivalent\tsame codec\tfp3",
        "lmp_helpers.stats.x_f__mutmut_4\tleft\tneeds a 20-million-row table\tfp4",
    ]) + "\n", encoding="utf-8")
    monkeypatch.setattr(plan_as_imported, "REASONS", reasons)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["mutation_summary.py"])
    assert mutation_summary.main() == 0
    out = capsys.readouterr().out
    # 5 mutants: 2 killed, 3 survived (one run, two recorded), 1 of them equivalent: 40 % raw, 50 % set aside
    assert "| stats.py | 5 | 2 | 0 | 3 | 0 | 0 | 1 | 40.0% | 50.0% |" in out
    assert "| `lmp_helpers.stats.x_f__mutmut_3` | survived (not re-run) | equivalent: same codec |" in out
    assert ("| `lmp_helpers.stats.x_f__mutmut_4` | survived (not re-run) | left: needs a 20-million-row table |"
            in out)
    assert "| `lmp_helpers.stats.x_f__mutmut_2` | survived | no reason recorded yet |" in out
