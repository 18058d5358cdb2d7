"""pytest plugin for `make test`: a skipped or xfailed test fails the run (project rule: a skipped test
is a failing test). Loaded by scripts/test.sh with `-p pytest_no_skip`."""

from __future__ import annotations

import pytest

_not_run: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        kind = "xfail" if hasattr(report, "wasxfail") else "skipped"
        _not_run.append(f"{report.nodeid} ({kind})")
    elif report.when == "call" and hasattr(report, "wasxfail"):
        _not_run.append(f"{report.nodeid} (xpass)")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if _not_run and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _not_run:
        terminalreporter.section("tests that did not run (fail under make test)", red=True)
        for line in _not_run:
            terminalreporter.line(line)
