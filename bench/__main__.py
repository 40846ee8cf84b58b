"""Run one benchmark (`python -m bench NAME`) or all of them (`python -m bench all`)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

import django


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = available()
    if not argv or argv[0] in {"-h", "--help"}:
        print("usage: python -m bench NAME [ARGS...] | all\nbenchmarks: " + ", ".join(names))
        return 0 if argv else 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deesc_lms.settings")
    django.setup()
    todo = names if argv[0] == "all" else [argv[0]]
    for name in todo:
        if name not in names:
            print(f"bench: no benchmark named {name!r}; choose from: {', '.join(names)}", file=sys.stderr)
            return 2
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}")
        module.main(argv[1:] if argv[0] != "all" else [])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
