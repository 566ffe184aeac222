"""Summaries of per-round samples: the median and the spread around it."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

__all__ = ["Spread", "spread"]


@dataclass(frozen=True)
class Spread:
    """The median of some samples, with their quartiles and extremes."""

    median: float
    q1: float
    q3: float
    low: float
    high: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def spread(samples: Sequence[float]) -> Spread:
    """Median, interquartile range and min/max of ``samples`` (at least one)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    if len(ordered) == 1:
        q1 = q3 = ordered[0]
    else:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return Spread(
        median=statistics.median(ordered),
        q1=q1,
        q3=q3,
        low=ordered[0],
        high=ordered[-1],
        n=len(ordered),
    )
