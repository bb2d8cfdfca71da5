"""Every dependency has a range that stops before its next major version, and CI's
constraints file pins each of them to a version inside that range."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent.parent


def requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        listed += extra
    return [Requirement(text) for text in listed]


def pins() -> dict[str, Version]:
    pinned: dict[str, Version] = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pinned[canonicalize_name(name)] = Version(version)
    return pinned


def test_every_range_has_an_upper_bound_at_a_major_version() -> None:
    for requirement in requirements():
        uppers = [s for s in requirement.specifier if s.operator == "<"]
        assert uppers, f"{requirement}: no upper bound"
        lowers = [s for s in requirement.specifier if s.operator == ">="]
        assert lowers, f"{requirement}: no lower bound"
        upper, lower = Version(uppers[0].version), Version(lowers[0].version)
        assert upper.minor == 0 and upper.micro == 0, f"{requirement}: not a major bound"
        # The next major after the oldest one supported (0.x counts as the 0 series).
        assert upper.major >= lower.major + 1, requirement


def test_constraints_pin_every_dependency_inside_its_range() -> None:
    pinned = pins()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in constraints.txt"
        assert requirement.specifier.contains(pinned[name]), (requirement, pinned[name])


def test_ci_installs_with_the_constraints() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "-c constraints.txt" in script
