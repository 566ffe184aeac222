"""The harness: cases, the interleaved runner, targets, and what a run records per case.

A case prepares a :class:`Contest`: one sampler per side (``stdlib``, ``multisock``, and an
optional ``floor``), each a zero-argument callable returning one sample in the case's unit.
The runner calls the samplers round by round, rotating their order (AB, BA, ...) so that
drift on a noisy machine lands on both sides alike, and compares the sides round by round:
each round's ratio (or difference) pairs samples taken moments apart.
"""

from __future__ import annotations

import gc
import operator
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from .stats import Spread, spread

__all__ = [
    "Case",
    "Contest",
    "Outcome",
    "Scale",
    "Target",
    "Unsupported",
    "quiet_gc",
    "run_case",
]

Sampler = Callable[[], float]
Comparison = Literal["ratio", "difference"]


class Unsupported(Exception):
    """This case cannot run here; the message says why (shown as "unsupported here: why")."""


@dataclass(frozen=True)
class Scale:
    """How big a run is: the full benchmark, or the seconds-long smoke run."""

    quick: bool

    def pick(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass(frozen=True)
class Target:
    """What the comparison (a ratio, or a difference in the case's unit) must satisfy."""

    op: Literal["<=", ">="]
    value: float

    def met(self, measured: float) -> bool:
        compare = operator.le if self.op == "<=" else operator.ge
        return bool(compare(measured, self.value))

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


@dataclass
class Contest:
    """The samplers of one case, ready to run, and how to release what they hold."""

    stdlib: Sampler
    multisock: Sampler
    floor: Sampler | None = None
    #: Why there is no floor, or what the floor is, for the table's notes.
    floor_note: str = ""
    close: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Case:
    """One benchmark: what it measures, its target, and how to prepare its samplers."""

    name: str
    title: str
    #: The unit every sampler returns, e.g. "µs/op", "MiB/s", "B/socket", "ms".
    unit: str
    prepare: Callable[[Scale], Contest]
    rounds: int
    quick_rounds: int = 2
    #: Untimed rounds first: caches, page faults, lazily built state.
    warmup: int = 1
    compare: Comparison = "ratio"
    #: For rates (MiB/s, datagrams/s) a larger sample is better; the ratio is then
    #: multisock rate / stdlib rate, and a target reads ">= x".
    higher_is_better: bool = False
    target: Target | None = None
    #: What the stdlib side is, when it is not simply "the same with socket.socket".
    baseline: str = ""


@dataclass
class Outcome:
    """What a run records for one case."""

    case: Case
    stdlib: Spread | None = None
    multisock: Spread | None = None
    floor: Spread | None = None
    #: Per-round multisock/stdlib ratios, or multisock - stdlib differences.
    comparison: Spread | None = None
    floor_note: str = ""
    skipped: str | None = None
    error: str | None = None
    seconds: float = 0.0
    samples: dict[str, list[float]] = field(default_factory=dict)

    def measured(self) -> tuple[Spread, Spread, Spread]:
        """stdlib, multisock and their comparison; only for a case that ran."""
        if self.stdlib is None or self.multisock is None or self.comparison is None:
            raise ValueError(f"{self.case.name} has no measurement")
        return self.stdlib, self.multisock, self.comparison

    @property
    def met(self) -> bool | None:
        if self.case.target is None or self.comparison is None:
            return None
        return self.case.target.met(self.comparison.median)

    def as_dict(self) -> dict[str, Any]:
        case = self.case
        return {
            "name": case.name,
            "title": case.title,
            "unit": case.unit,
            "compare": case.compare,
            "higher_is_better": case.higher_is_better,
            "baseline": case.baseline,
            "target": None if case.target is None else str(case.target),
            "met": self.met,
            "stdlib": _dict(self.stdlib),
            "multisock": _dict(self.multisock),
            "floor": _dict(self.floor),
            "floor_note": self.floor_note,
            "comparison": _dict(self.comparison),
            "skipped": self.skipped,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "samples": self.samples,
        }


def _dict(value: Spread | None) -> dict[str, float] | None:
    return None if value is None else value.as_dict()


@contextmanager
def quiet_gc() -> Iterator[None]:
    """No cyclic collection inside a timed loop: a pause would land on one side only."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_case(case: Case, scale: Scale) -> Outcome:
    """Prepare ``case``, run its interleaved rounds, and summarise them."""
    outcome = Outcome(case)
    started = time.perf_counter()
    try:
        contest = case.prepare(scale)
    except Unsupported as exc:
        outcome.skipped = str(exc)
        return outcome
    except Exception:
        outcome.error = traceback.format_exc()
        return outcome
    try:
        samples = _rounds(contest, case, scale)
        _summarise(outcome, samples, case)
        outcome.floor_note = contest.floor_note
    except Unsupported as exc:  # found out only when the first round ran
        outcome.skipped = str(exc)
    except Exception:
        outcome.error = traceback.format_exc()
    finally:
        contest.close()
        outcome.seconds = time.perf_counter() - started
    return outcome


def _rounds(contest: Contest, case: Case, scale: Scale) -> dict[str, list[float]]:
    sides: list[tuple[str, Sampler]] = [
        ("stdlib", contest.stdlib),
        ("multisock", contest.multisock),
    ]
    if contest.floor is not None:
        sides.append(("floor", contest.floor))
    samples: dict[str, list[float]] = {name: [] for name, _ in sides}
    rounds = case.quick_rounds if scale.quick else case.rounds
    warmup = min(case.warmup, 1) if scale.quick else case.warmup
    for number in range(warmup + rounds):
        shift = number % len(sides)
        for name, sampler in sides[shift:] + sides[:shift]:
            value = sampler()
            if number >= warmup:
                samples[name].append(value)
        _progress(case.name, number + 1, warmup + rounds)
    return samples


def _summarise(outcome: Outcome, samples: dict[str, list[float]], case: Case) -> None:
    outcome.samples = {
        name: [float(f"{v:.6g}") for v in values] for name, values in samples.items()
    }
    outcome.stdlib = spread(samples["stdlib"])
    outcome.multisock = spread(samples["multisock"])
    if samples.get("floor"):
        outcome.floor = spread(samples["floor"])
    pairs = zip(samples["multisock"], samples["stdlib"], strict=True)
    if case.compare == "difference":
        outcome.comparison = spread([mine - theirs for mine, theirs in pairs])
    else:
        outcome.comparison = spread([mine / theirs for mine, theirs in pairs])


def _progress(name: str, done: int, total: int) -> None:
    if not sys.stderr.isatty():  # a log gets the summary line only
        return
    end = "\n" if done == total else ""
    print(f"\r  {name}: round {done}/{total}", end=end, file=sys.stderr, flush=True)
