"""The feature matrix: what each conformance test did on each backend and platform.

Rows are spec features (``method:recv``, ``family:AF_UNIX``, ``option:SO_LINGER``,
``ioctl:SIO_KEEPALIVE_VALS``, ``ancillary:SCM_RIGHTS``...), columns are ``backend @ platform``,
cells are pass / fail / unsupported / unsupported here / unavailable. Reports are JSON (every
test, for merging runs from several platforms) and Markdown (the table).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

__all__ = ["SCHEMA", "Matrix", "Result", "classify_skip"]

SCHEMA: Final = 1
UNSUPPORTED: Final = "unsupported by "
UNSUPPORTED_HERE: Final = "unsupported here: "


@dataclass(frozen=True)
class Result:
    """One test on one backend: ``passed``, ``failed``, ``unsupported``, ``unsupported-here``
    or ``skipped`` (skipped for another reason)."""

    test: str
    backend: str
    platform: str
    feature: str
    outcome: str
    reason: str | None = None


@dataclass(frozen=True)
class BackendStatus:
    name: str
    platform: str
    available: bool
    reason: str | None
    distribution: str | None = None
    version: str | None = None


def classify_skip(reason: str) -> str:
    """The outcome a skip stands for, from its reason's prefix."""
    text = reason.removeprefix("Skipped: ")
    if text.startswith(UNSUPPORTED):
        return "unsupported"
    if text.startswith(UNSUPPORTED_HERE):
        return "unsupported-here"
    return "skipped"


@dataclass
class Matrix:
    results: list[Result] = field(default_factory=list)
    backends: list[BackendStatus] = field(default_factory=list)

    # -- building and merging ---------------------------------------------------------------

    def add(self, result: Result) -> None:
        self.results.append(result)

    def merge(self, other: Matrix) -> None:
        self.results.extend(other.results)
        seen = {(b.name, b.platform) for b in self.backends}
        self.backends.extend(b for b in other.backends if (b.name, b.platform) not in seen)

    @classmethod
    def load(cls, path: Path) -> Matrix:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA:
            raise ValueError(f"{path}: not a multisock conformance report (schema {SCHEMA})")
        return cls(
            results=[Result(**r) for r in data["results"]],
            backends=[BackendStatus(**b) for b in data["backends"]],
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema": SCHEMA,
                "backends": [asdict(b) for b in self.backends],
                "results": [asdict(r) for r in self.results],
            },
            indent=1,
        )

    # -- the table ---------------------------------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        return [(b.name, b.platform) for b in self.backends]

    def cells(self) -> dict[str, dict[tuple[str, str], str]]:
        """``{feature: {(backend, platform): cell text}}``."""
        grouped: dict[str, dict[tuple[str, str], list[Result]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for r in self.results:
            grouped[r.feature][(r.backend, r.platform)].append(r)
        unavailable = {(b.name, b.platform): b for b in self.backends if not b.available}
        table: dict[str, dict[tuple[str, str], str]] = {}
        for feature in sorted(grouped, key=_feature_order):
            row: dict[tuple[str, str], str] = {}
            for column in self.columns():
                if column in unavailable:
                    row[column] = "unavailable"
                else:
                    row[column] = _cell(grouped[feature].get(column, []))
            table[feature] = row
        return table

    def counts(self) -> dict[tuple[str, str], dict[str, int]]:
        totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in self.results:
            totals[(r.backend, r.platform)][r.outcome] += 1
        return totals

    def failed(self) -> list[Result]:
        return [r for r in self.results if r.outcome == "failed"]

    def to_markdown(self) -> str:
        columns = self.columns()
        header = ["feature", *(f"{name} @ {platform}" for name, platform in columns)]
        lines = [_row(header), _row(["---"] * len(header))]
        for feature, row in self.cells().items():
            lines.append(_row([f"`{feature}`", *(row[c] for c in columns)]))
        lines.append("")
        lines.append(
            "Totals per column: "
            + "; ".join(
                f"{name} @ {platform}: "
                + ", ".join(f"{k} {v}" for k, v in sorted(self.counts()[(name, platform)].items()))
                for name, platform in columns
                if (name, platform) in self.counts()
            )
        )
        notes = [b for b in self.backends if not b.available]
        if notes:
            lines.append("")
            lines += [f"- `{b.name}` @ {b.platform} unavailable: {b.reason}" for b in notes]
        here: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for r in self.results:
            if r.outcome == "unsupported-here":
                reason = (r.reason or "").removeprefix("Skipped: ").removeprefix(UNSUPPORTED_HERE)
                here[(r.backend, r.platform, reason)].add(f"`{r.feature}`")
        if here:
            lines.append("")
            lines.append("Unsupported here (the platform, not the backend):")
            lines += [
                f"- {b} @ {p}: {', '.join(sorted(here[(b, p, reason)]))}: {reason}"
                for b, p, reason in sorted(here)
            ]
        return "\n".join(lines) + "\n"

    def to_text(self) -> str:
        columns = self.columns()
        names = [f"{n}@{p}" for n, p in columns]
        cells = self.cells()
        width = max([len(f) for f in cells] + [7])
        widths = [max(len(n), 12) for n in names]
        out = [
            "feature".ljust(width)
            + "  "
            + "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
        ]
        for feature, row in cells.items():
            out.append(
                feature.ljust(width)
                + "  "
                + "  ".join(row[c].ljust(w) for c, w in zip(columns, widths, strict=True))
            )
        return "\n".join(out)


def _cell(results: Iterable[Result]) -> str:
    outcomes = [r.outcome for r in results]
    if not outcomes:
        return "-"
    runs = [o for o in outcomes if o in ("passed", "failed")]
    failed = outcomes.count("failed")
    if failed:
        return f"FAIL {failed}/{len(runs)}"
    if runs:
        here = outcomes.count("unsupported-here")
        return f"pass {len(runs)}/{len(runs)}" + (f", {here} unsupported here" if here else "")
    if "unsupported-here" in outcomes:
        return "unsupported here"
    if "unsupported" in outcomes:
        return "unsupported"
    return "skipped"


_SECTIONS: Final = (
    "family",
    "type",
    "method",
    "attribute",
    "option",
    "ioctl",
    "ancillary",
    "feature",
    "validation",
    "interop",
)


def _feature_order(feature: str) -> tuple[int, str]:
    section = feature.split(":", 1)[0]
    return (_SECTIONS.index(section) if section in _SECTIONS else len(_SECTIONS), feature)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def status_of(info: Any, platform: str) -> BackendStatus:
    return BackendStatus(
        info.name, platform, info.available, info.reason, info.distribution, info.version
    )
