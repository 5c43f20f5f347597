"""docs/settings.md and settings.py name the same DATELINE_* variables."""

from __future__ import annotations

import re
from pathlib import Path

import dateline.settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_variable_the_code_reads_is_documented_and_vice_versa() -> None:
    code = set(
        re.findall(
            r'"(DATELINE_[A-Z_]+)"', Path(dateline.settings.__file__).read_text()
        )
    )
    doc_text = (ROOT / "docs" / "settings.md").read_text()
    app_table = doc_text.split("## Test-only variables")[0]
    documented = set(
        re.findall(r"^\| `(DATELINE_[A-Z_]+)`", app_table, flags=re.MULTILINE)
    )
    assert code, "no variables found in settings.py"
    assert code == documented


def test_readme_points_to_the_settings_table() -> None:
    assert "docs/settings.md" in (ROOT / "README.md").read_text()
