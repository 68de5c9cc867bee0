"""The property tests on fresh random examples (`pytest -m fresh_examples`; not in CI).

CI runs every Hypothesis test derandomised (tests/conftest.py), so its verdict does not depend on
the draw. This test reruns them in a child pytest with the `fresh` profile: new examples each
time, to look for counterexamples the fixed ones miss. A failure here names a real example to
add with `@example` once understood.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROPERTY_TESTS = ["tests/test_properties.py", "tests/test_pricing_consistency.py",
                  "tests/test_expected.py::test_expected_value_path_on_random_scenarios"]


@pytest.mark.fresh_examples
def test_property_tests_on_fresh_examples() -> None:
    env = {**os.environ, "INSATS_HYPOTHESIS_PROFILE": "fresh"}
    res = subprocess.run([sys.executable, "-m", "pytest", "-x", "-p", "no:cacheprovider",
                          *PROPERTY_TESTS], cwd=ROOT, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]


def test_property_tests_are_derandomised_by_default() -> None:
    """Without INSATS_HYPOTHESIS_PROFILE, Hypothesis draws the same examples every run."""
    from hypothesis import settings

    if os.environ.get("INSATS_HYPOTHESIS_PROFILE", "derandomised") == "derandomised":
        assert settings.default.derandomize
