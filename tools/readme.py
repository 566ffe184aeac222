"""Regenerate the README's generated parts from the reports in reports/.

Each part sits between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``:

- ``matrix``: the conformance matrices of every run (host, VM, Wine) merged into one table;
- ``bench``: the benchmark table.

Run through ``nox -s readme`` after the sessions that write the reports.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from multisock_conformance.matrix import Matrix

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
RUNS = ("host", "vm", "wine")  # in column order


def matrix() -> str:
    merged = Matrix()
    found = []
    for run in RUNS:
        path = REPORTS / f"{run}.json"
        if path.exists():
            merged.merge(Matrix.load(path))
            found.append(f"`reports/{run}.json`")
    if not found:
        return "_No conformance report yet: run `nox -s conformance wine vm`._\n"
    return f"Merged from {', '.join(found)} by `nox -s readme`.\n\n" + merged.to_markdown()


def bench() -> str:
    found = []
    for name, heading in (
        ("bench", "On this machine"),
        ("bench-vm", "AF_ALG, on Debian's kernel in qemu"),
    ):
        path = REPORTS / f"{name}.md"
        if path.exists():
            text = path.read_text(encoding="utf-8")
            found.append(text.replace("### multisock against the stdlib", f"### {heading}", 1))
    if not found:
        return "_No benchmark report yet: run `nox -s bench bench_vm`._\n"
    return "\n".join(found)


def replace(text: str, name: str, body: str) -> str:
    pattern = re.compile(
        rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", flags=re.DOTALL
    )
    if not pattern.search(text):
        sys.exit(f"README.md has no generated:{name} markers")
    return pattern.sub(lambda m: m.group(1) + body.rstrip("\n") + "\n" + m.group(2), text)


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    text = replace(text, "matrix", matrix())
    text = replace(text, "bench", bench())
    readme.write_text(text, encoding="utf-8")
    print(f"updated {readme}")


if __name__ == "__main__":
    main()
