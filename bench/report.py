"""The run's results as JSON (everything, samples included) and as a Markdown table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .harness import Outcome
from .stats import Spread

__all__ = ["as_json", "as_markdown"]


def as_json(
    outcomes: Sequence[Outcome], machine: Mapping[str, Any], *, quick: bool
) -> dict[str, Any]:
    return {
        "machine": dict(machine),
        "quick": quick,
        "cases": [outcome.as_dict() for outcome in outcomes],
        "summary": {
            "met": [o.case.name for o in outcomes if o.met is True],
            "missed": [o.case.name for o in outcomes if o.met is False],
            "skipped": [o.case.name for o in outcomes if o.skipped],
            "errors": [o.case.name for o in outcomes if o.error],
        },
    }


def as_markdown(outcomes: Sequence[Outcome], machine: Mapping[str, Any], *, quick: bool) -> str:
    lines = [
        "### multisock against the stdlib",
        "",
        _taken_on(machine, quick=quick),
        "",
        "| case | stdlib | multisock | multisock / stdlib [IQR] | target | verdict | floor |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    lines += [_row(outcome) for outcome in outcomes]
    lines += ["", *_notes(outcomes)]
    return "\n".join(lines) + "\n"


def _taken_on(machine: Mapping[str, Any], *, quick: bool) -> str:
    virtual = ", virtual machine" if machine.get("virtualised") == "yes" else ""
    kind = "smoke run (tiny, not a measurement)" if quick else "`nox -s bench`"
    return (
        f"Taken {machine['date']} on {machine['cpu']} ({machine['cores']} cores{virtual}, "
        f"load average {machine['load_average']} at start, {machine.get('load_average_end')} at "
        f"end), {machine['kernel']}, {machine['python']}; "
        f"multisock {machine['multisock']}, pydantic {machine['pydantic']}. {kind}: medians of "
        "interleaved rounds (stdlib and multisock alternating), [interquartile range] of the "
        "per-round comparison."
    )


def _row(outcome: Outcome) -> str:
    case = outcome.case
    title = f"{case.title} (against {case.baseline})" if case.baseline else case.title
    if outcome.skipped is not None:
        why = f"unsupported here: {_cell(outcome.skipped)}"
        return f"| {title} | | | {why} | {_target(outcome)} | skipped | |"
    if outcome.error is not None:
        last = outcome.error.strip().splitlines()[-1]
        return f"| {title} | | | error: {_cell(last)} | {_target(outcome)} | error | |"
    theirs, mine, _ = outcome.measured()
    unit = case.unit
    floor = f"{_number(outcome.floor.median)} {unit}" if outcome.floor else "—"
    return (
        f"| {title} | {_number(theirs.median)} {unit} | {_number(mine.median)} {unit} "
        f"| {_comparison(outcome)} | {_target(outcome)} | {_verdict(outcome)} | {floor} |"
    )


def _comparison(outcome: Outcome) -> str:
    spread = outcome.measured()[2]
    if outcome.case.compare == "difference":
        unit = outcome.case.unit
        return f"**{spread.median:+.1f} {unit}** [{spread.q1:+.1f}, {spread.q3:+.1f}]"
    return f"**{spread.median:.3f}** [{spread.q1:.3f}, {spread.q3:.3f}]"


def _target(outcome: Outcome) -> str:
    target = outcome.case.target
    if target is None:
        return "none"
    op = "≤" if target.op == "<=" else "≥"
    if outcome.case.compare == "difference":
        return f"{op} {target.value:+g} {outcome.case.unit}"
    return f"{op} {target.value:g}"


def _verdict(outcome: Outcome) -> str:
    target, spread = outcome.case.target, outcome.comparison
    if target is None or spread is None:
        return "reported"
    if target.met(spread.median):
        return "met"
    gap = abs(spread.median - target.value)
    unit = f" {outcome.case.unit}" if outcome.case.compare == "difference" else ""
    return f"**missed** by {gap:.3g}{unit}"


def _notes(outcomes: Sequence[Outcome]) -> list[str]:
    notes = [
        "Ratios are multisock / stdlib time per operation; for rates (MiB/s, datagrams/s) "
        "multisock / stdlib rate, so higher is better there. Start-up rows compare against the "
        "baseline named and give the difference in milliseconds.",
    ]
    for outcome in outcomes:
        if outcome.floor_note and not outcome.skipped and not outcome.error:
            notes.append(f"Floor of {outcome.case.name}: {outcome.floor_note}.")
    return [f"- {note}" for note in notes]


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def spread_text(spread: Spread, unit: str) -> str:
    """One spread for a progress line: median [q1, q3] unit."""
    return f"{_number(spread.median)} [{_number(spread.q1)}, {_number(spread.q3)}] {unit}"
