"""scripts/mutation_select.py: the per-module test selection of `make mutate` (tests/mutation/selection.toml)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("mutation_select", ROOT / "scripts" / "mutation_select.py")
mutation_select = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mutation_select)

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
