"""Weather settings that cannot work stop the start and name the variable."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATELINE_WEATHER_PROVIDER", "accuweather"),
        ("DATELINE_WEATHER_URL", "ftp://weather.example.net/forecast"),
        ("DATELINE_WEATHER_URL", "https://weather.example.net/forecast?latitude=1"),
    ],
)
def test_a_bad_weather_variable_stops_the_start_and_is_named(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import dateline.settings"],
        env={variable: value, "DATELINE_DATA_DIR": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert variable in result.stderr
