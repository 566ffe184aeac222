"""The ``multisock`` command: list backends, run the conformance suite, merge reports."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .registry import REGISTRY

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="multisock", description="One typed, validated socket API over pluggable backends."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("backends", help="list the installed backends")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")

    suite = commands.add_parser(
        "conformance",
        help="run the conformance suite and print the feature matrix",
        description="Run the conformance suite against installed backends. Arguments after "
        "'--' go to pytest (e.g. -- -k tcp -x).",
    )
    suite.add_argument(
        "--backend",
        action="append",
        default=[],
        metavar="NAME",
        help="backend to check (repeatable); default: every installed backend",
    )
    suite.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FILE",
        help="write the matrix to FILE (.json or .md; repeatable)",
    )
    suite.add_argument("--platform", metavar="LABEL", help="platform label for the matrix")
    suite.add_argument("pytest_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    merge = commands.add_parser("report", help="merge JSON reports (from several platforms)")
    merge.add_argument("inputs", nargs="+", type=Path, metavar="REPORT.json")
    merge.add_argument("--md", type=Path, help="write the merged table as Markdown")
    merge.add_argument("--json", type=Path, help="write the merged report as JSON")

    args = parser.parse_args(argv)
    if args.command == "backends":
        return _backends(as_json=args.json)
    if args.command == "conformance":
        return _conformance(args.backend, args.report, args.platform, args.pytest_args)
    return _report(args.inputs, args.md, args.json)


def _backends(*, as_json: bool) -> int:
    infos = REGISTRY.infos()
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "name": i.name,
                        "distribution": i.distribution,
                        "version": i.version,
                        "available": i.available,
                        "reason": i.reason,
                        "priority": i.priority,
                        "capabilities": {
                            k: sorted(v) for k, v in i.capabilities.features_matrix().items()
                        }
                        if i.capabilities
                        else None,
                    }
                    for i in infos
                ],
                indent=1,
            )
        )
        return 0
    if not infos:
        print("no multisock backends are installed")
        return 1
    for info in infos:
        origin = (
            f"{info.distribution} {info.version}" if info.distribution else "registered in-process"
        )
        state = "available" if info.available else f"unavailable: {info.reason}"
        print(f"{info.name}  ({origin}, priority {info.priority})  {state}")
        if info.description:
            print(f"    {info.description}")
        counts = ", ".join(f"{section} {n}" for section, n in info.counts().items() if n)
        if counts:
            print(f"    declares {counts}")
    return 0


def _conformance(
    backends: list[str], reports: list[str], platform: str | None, extra: list[str]
) -> int:
    import pytest  # noqa: PLC0415 - only this command needs pytest

    # Located, not imported: pytest must import the suite itself to rewrite its asserts.
    spec = importlib.util.find_spec("multisock_conformance")
    if spec is None or not spec.submodule_search_locations:
        print("multisock_conformance is not installed", file=sys.stderr)
        return 2
    package = Path(next(iter(spec.submodule_search_locations)))
    args = [str(package), f"--rootdir={package}", "-c", str(package / "conformance.ini")]
    args += ["-p", "no:cacheprovider"]
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        args += ["-p", "multisock_conformance.plugin", "-p", "pytest_timeout"]
    for name in backends:
        args += ["--multisock-backend", name]
    for target in reports:
        args += ["--multisock-report", str(Path(target).resolve())]
    if platform:
        args += ["--multisock-platform", platform]
    args += [a for a in extra if a != "--"]
    return int(pytest.main(args))


def _report(inputs: list[Path], md: Path | None, out_json: Path | None) -> int:
    from multisock_conformance.matrix import Matrix  # noqa: PLC0415

    merged = Matrix()
    for path in inputs:
        merged.merge(Matrix.load(path))
    if md:
        md.write_text(merged.to_markdown(), encoding="utf-8")
    if out_json:
        out_json.write_text(merged.to_json(), encoding="utf-8")
    if not md and not out_json:
        sys.stdout.write(merged.to_markdown())
    return 1 if merged.failed() else 0
