"""The README's Quick start commands are the ones CI runs, verbatim (a newcomer's run is CI's run)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def ci_variable(name: str) -> str:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    m = re.search(rf"^{name}='(.*)'$", script, flags=re.M)
    assert m, f".ci/run defines no {name}"
    return m.group(1)


def test_readme_has_exactly_the_two_commands_ci_runs():
    cmds = quickstart_commands()
    assert cmds == [ci_variable("APP_CMD"), ci_variable("TEST_CMD")]
    assert "streamlit run app.py" in cmds[0]
    assert cmds[1].endswith("pytest")


def test_ci_runs_the_test_command_itself_in_a_fresh_venv():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in script.splitlines()]
    assert ci_variable("TEST_CMD") in lines  # executed as a line of its own, not only compared
    assert "python3 -m venv" in script
    assert lines.index(ci_variable("TEST_CMD")) > next(i for i, ln in enumerate(lines) if "activate" in ln)


def test_tests_do_not_import_the_tests_package():
    # A bare `pytest` does not put the checkout on sys.path, so `from tests...` breaks a newcomer's run;
    # shared helpers are fixtures of conftest.py instead.
    offenders = [
        p.name
        for p in (ROOT / "tests").glob("*.py")
        if re.search(r"^\s*(from|import) (tests|conftest)\b", p.read_text(encoding="utf-8"), flags=re.M)
    ]
    assert offenders == []
