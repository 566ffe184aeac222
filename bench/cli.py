"""``python -m bench``: run the cases, print the table, write the JSON and Markdown reports.

Exits 1 when a case fails with an error (so the smoke run catches a broken case); a missed
target is a finding to report, not a failure: no timing is ever asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .cases import CASES
from .harness import Case, Outcome, Scale, run_case
from .machine import describe_machine, load_average
from .report import as_json, as_markdown, spread_text

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.list:
        for case in CASES:
            print(f"{case.name:20} {case.title}")
        return 0
    try:
        cases = _select(args.only)
    except LookupError as exc:
        print(f"bench: {exc.args[0]}", file=sys.stderr)
        return 2
    machine = describe_machine()
    scale = Scale(quick=args.quick)
    outcomes = [_run(case, scale) for case in cases]
    machine["load_average_end"] = load_average()
    table = as_markdown(outcomes, machine, quick=args.quick)
    print(table)
    if args.json:
        _write(args.json, json.dumps(as_json(outcomes, machine, quick=args.quick), indent=2))
    if args.md:
        _write(args.md, table)
    return 1 if any(outcome.error for outcome in outcomes) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="multisock against the stdlib socket, side by side."
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: every case, tiny (seconds, no timing)"
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="CASE", help="run CASE (repeatable)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the JSON result")
    parser.add_argument("--md", type=Path, metavar="FILE", help="write the Markdown table")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    return parser


def _select(names: Sequence[str]) -> list[Case]:
    if not names:
        return list(CASES)
    known = {case.name: case for case in CASES}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise LookupError(f"no case {', '.join(unknown)}; cases: {', '.join(known)}")
    return [known[name] for name in names]


def _run(case: Case, scale: Scale) -> Outcome:
    print(f"{case.name}: {case.title}", file=sys.stderr, flush=True)
    outcome = run_case(case, scale)
    if outcome.skipped:
        print(f"  skipped: unsupported here: {outcome.skipped}", file=sys.stderr)
    elif outcome.error:
        print(f"  error:\n{outcome.error}", file=sys.stderr)
    else:
        theirs, mine, comparison = outcome.measured()
        print(
            f"  stdlib {spread_text(theirs, case.unit)}; "
            f"multisock {spread_text(mine, case.unit)}; "
            f"{case.compare} {comparison.median:.4g} ({outcome.seconds:.1f} s)",
            file=sys.stderr,
        )
    return outcome


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n")
