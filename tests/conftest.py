"""Shared pytest configuration: the differential fuzzer's profiles (tests/test_fuzz.py).

The quick profile (a few hundred random graphs) runs by default. The long profile, for
release checks, runs thousands::

    python -m pytest tests/test_fuzz.py --fuzz-long
    MINIGRAD_FUZZ_LONG=1 MINIGRAD_FUZZ_GRAPHS=20000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os

import pytest

LONG_DEFAULT_GRAPHS = 5000


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        default=False,
        help="run the differential fuzzer's long profile: MINIGRAD_FUZZ_GRAPHS graphs "
        f"(default {LONG_DEFAULT_GRAPHS}) instead of the quick few hundred (also: MINIGRAD_FUZZ_LONG=1)",
    )


@pytest.fixture(scope="session")
def fuzz_long_graphs(request: pytest.FixtureRequest) -> int | None:
    """How many graphs the long fuzz profile runs in all, or None for the quick profile."""
    long = request.config.getoption("--fuzz-long") or os.environ.get("MINIGRAD_FUZZ_LONG", "") not in ("", "0")
    if not long:
        return None
    return int(os.environ.get("MINIGRAD_FUZZ_GRAPHS", LONG_DEFAULT_GRAPHS))
