"""Print pip constraints (``name==version``) for what the requirement files need, as
installed in this virtualenv: the packages they name and everything those pull in.

    .venv/bin/python tools/freeze_constraints.py requirements.txt requirements-dev.txt > constraints.txt

(``make constraints`` runs exactly that.) Only that closure is pinned, not whatever else
the venv holds. A local version label (torch's ``+cpu``) is dropped: ``torch==2.13.0`` is
what an index serves and what the installed CPU build satisfies.
"""
from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def read_requirements(path: Path) -> list[Requirement]:
    """The requirements of a file, following ``-r other.txt`` lines."""
    found: list[Requirement] = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            found.extend(read_requirements(path.parent / line.split(None, 1)[1]))
        elif not line.startswith("-"):
            found.append(Requirement(line))
    return found


def closure(roots: list[Requirement]) -> dict[str, metadata.Distribution]:
    """Installed distributions needed by ``roots``, extras and environment markers honoured."""
    needed: dict[str, metadata.Distribution] = {}
    todo = [(req, frozenset(req.extras)) for req in roots]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req, extras = todo.pop()
        key = (canonicalize_name(req.name), extras)
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{req.name} is required but not installed: install the requirements first")
        needed[key[0]] = dist
        for dep in (Requirement(r) for r in dist.requires or ()):
            environments = [{"extra": e} for e in extras] or [{"extra": ""}]
            if dep.marker is None or any(dep.marker.evaluate(env) for env in environments):
                todo.append((dep, frozenset(dep.extras)))
    return needed


def main(paths: list[str]) -> None:
    roots = [req for path in paths for req in read_requirements(Path(path))]
    print(f"# Pinned from the working venv by: .venv/bin/python tools/freeze_constraints.py {' '.join(paths)}")
    print("# `make setup` and `make test` install with -c constraints.txt; `make constraints` renews it.")
    for name, dist in sorted(closure(roots).items()):
        print(f"{dist.metadata['Name']}=={dist.version.split('+', 1)[0]}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["requirements.txt", "requirements-dev.txt"])
