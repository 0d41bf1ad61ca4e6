"""The set-up files agree with each other: pip lock, requirements.in, environment.yml."""

import re
import subprocess

import yaml

from lnanalysis.core.paths import ROOT


def _pins(path):
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def _conda_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for p in dep["pip"]:
                if "==" in p:
                    n, v = p.split("==")
                    pins[n.lower()] = v
        elif "=" in dep and not dep.startswith("python="):
            n, v = dep.split("=")
            pins[n.lower()] = v
    return pins


def test_environment_yml_lists_the_same_packages_and_versions_as_the_pip_path():
    direct = _pins("requirements.in")
    assert _conda_pins() == direct


def test_lock_file_pins_every_direct_dependency_at_the_same_version():
    lock, direct = _pins("requirements-lock.txt"), _pins("requirements.in")
    drift = {n: (v, lock.get(n)) for n, v in direct.items() if lock.get(n) != v}
    assert not drift, f"requirements.in and requirements-lock.txt disagree: {drift}"


def test_core_pins_are_the_ones_forecast_digits_were_checked_with():
    lock = _pins("requirements-lock.txt")
    assert (lock["pandas"], lock["statsmodels"], lock["numpy"]) == ("3.1.1", "0.15.0", "2.4.6")


def test_make_help_lists_the_readme_commands():
    out = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for target in ("briefing", "test", "lint", "bench", "explore", "lab", "test-slow"):
        assert re.search(rf"\b{target}\b", out), target


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make briefing" in readme and "make test" in readme


def test_pyproject_declares_every_direct_dependency_with_a_range_holding_the_pin():
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    declared += [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    direct = _pins("requirements.in")
    assert {r.name.lower() for r in declared} == set(direct)
    for req in declared:
        assert req.specifier.contains(direct[req.name.lower()]), req
