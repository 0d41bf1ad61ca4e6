"""nbval add-on: a failing notebook cell also reports its outputs as committed -> now.

nbval's own message is a pytest string diff; this section lists each changed line
of the sanitised output text, the committed (reference) line first.
"""

from __future__ import annotations

import pytest

from lnanalysis.pipeline.nbdiff import describe, diff_outputs


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or not hasattr(item, "test_outputs"):
        return
    if item.test_outputs is None:
        return
    committed = {"cells": [dict(item.cell, cell_type="code")]}
    now = {"cells": [{"cell_type": "code", "outputs": item.test_outputs}]}
    lines = [
        line.replace("code cell 1:", f"cell {item.cell_num}:")
        for line in describe(diff_outputs(committed, now), limit=40)
    ]
    if lines:
        report.sections.append(("outputs, committed -> now", "\n".join(lines)))
