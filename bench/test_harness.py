"""The harness's own logic, with fake samplers: no sockets, no timing asserted."""

from __future__ import annotations

import pytest

from .cli import main
from .harness import Case, Contest, Sampler, Scale, Target, Unsupported, run_case
from .report import as_json, as_markdown
from .stats import spread

MACHINE = {
    "date": "today",
    "cpu": "a CPU",
    "cores": 2,
    "virtualised": "no",
    "load_average": 0.5,
    "load_average_end": 0.6,
    "kernel": "Linux 6",
    "python": "CPython 3.11",
    "multisock": "0.1.0",
    "pydantic": "2",
}


def _case(contest: Contest, **extra: object) -> Case:
    fields: dict[str, object] = {
        "name": "fake",
        "title": "a fake case",
        "unit": "µs/op",
        "prepare": lambda scale: contest,
        "rounds": 4,
        "warmup": 1,
    }
    fields.update(extra)
    return Case(**fields)  # type: ignore[arg-type]


def test_spread_of_samples() -> None:
    summary = spread([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (summary.median, summary.q1, summary.q3) == (3.0, 2.0, 4.0)
    assert (summary.low, summary.high, summary.n) == (1.0, 5.0, 5)
    assert spread([7.0]).q1 == spread([7.0]).q3 == 7.0


@pytest.mark.parametrize(
    ("target", "value", "met"),
    [
        (Target("<=", 1.03), 1.03, True),
        (Target("<=", 1.03), 1.04, False),
        (Target(">=", 3), 2.9, False),
    ],
)
def test_target(target: Target, value: float, met: bool) -> None:
    assert target.met(value) is met


def _recording(calls: list[str], name: str, value: float) -> Sampler:
    def sample() -> float:
        calls.append(name)
        return value

    return sample


def test_rounds_alternate_and_ratios_pair_rounds() -> None:
    calls: list[str] = []
    contest = Contest(stdlib=_recording(calls, "A", 2.0), multisock=_recording(calls, "B", 3.0))
    outcome = run_case(_case(contest, target=Target("<=", 1.3)), Scale(quick=False))
    assert calls == ["A", "B", "B", "A", "A", "B", "B", "A", "A", "B"]
    assert outcome.comparison is not None
    assert outcome.comparison.median == 1.5
    assert outcome.comparison.n == 4  # the warm-up round is not kept
    assert outcome.met is False


def test_difference_cases_subtract() -> None:
    contest = Contest(stdlib=lambda: 70.0, multisock=lambda: 95.0)
    outcome = run_case(
        _case(contest, compare="difference", unit="ms", target=Target("<=", 30)), Scale(True)
    )
    assert outcome.comparison is not None
    assert outcome.comparison.median == 25.0
    assert outcome.met is True
    assert "+25.0 ms" in as_markdown([outcome], MACHINE, quick=True)


def test_unsupported_is_a_skip_with_the_reason() -> None:
    def prepare(scale: Scale) -> Contest:
        raise Unsupported("no sendmmsg yet")

    outcome = run_case(_case(Contest(lambda: 1.0, lambda: 1.0), prepare=prepare), Scale(True))
    assert outcome.skipped == "no sendmmsg yet"
    assert outcome.error is None
    assert "unsupported here: no sendmmsg yet" in as_markdown([outcome], MACHINE, quick=True)
    assert as_json([outcome], MACHINE, quick=True)["summary"]["skipped"] == ["fake"]


def test_an_error_is_recorded_and_closes_the_contest() -> None:
    closed: list[bool] = []

    def broken() -> float:
        raise RuntimeError("boom")

    contest = Contest(stdlib=broken, multisock=lambda: 1.0, close=lambda: closed.append(True))
    outcome = run_case(_case(contest), Scale(True))
    assert outcome.error is not None
    assert "RuntimeError: boom" in outcome.error
    assert closed == [True]


def test_missed_target_says_by_how_much() -> None:
    contest = Contest(stdlib=lambda: 1.0, multisock=lambda: 1.1)
    outcome = run_case(_case(contest, target=Target("<=", 1.05)), Scale(True))
    assert "**missed** by 0.05" in as_markdown([outcome], MACHINE, quick=True)


def test_cli_rejects_an_unknown_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--only", "nonesuch"]) == 2
    assert "no case nonesuch" in capsys.readouterr().err
