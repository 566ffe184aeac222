"""The linux_ext cases against a stand-in for the interface they assume (no timing asserted).

Until linux_ext has sendmmsg/recvmmsg, the batch case is skipped on real runs; here a
loop-based stand-in with the documented signatures checks that the case runs end to end, so
it works the day the real methods land.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from .cases.linux_ext import BATCH
from .harness import Scale, run_case

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="linux_ext")


def _sendmmsg(self: Any, buffers: list[bytes], address: Any) -> int:
    for data in buffers:
        self.sendto(data, address)
    return len(buffers)


def _recvmmsg(self: Any, count: int, bufsize: int) -> list[tuple[bytes, Any]]:
    return [self.recvfrom(bufsize) for _ in range(count)]


def test_batch_case_runs_against_the_documented_interface(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from multisock_linux_ext import LinuxSocket  # noqa: PLC0415 - Linux only

    monkeypatch.setattr(LinuxSocket, "sendmmsg", _sendmmsg, raising=False)
    monkeypatch.setattr(LinuxSocket, "recvmmsg", _recvmmsg, raising=False)
    outcome = run_case(BATCH, Scale(quick=True))
    assert outcome.error is None
    assert outcome.skipped is None
    assert outcome.comparison is not None


def test_batch_case_says_why_it_is_skipped_without_the_methods() -> None:
    from multisock_linux_ext import LinuxSocket  # noqa: PLC0415 - Linux only

    if hasattr(LinuxSocket, "sendmmsg"):
        pytest.skip("linux_ext has batch I/O now")
    outcome = run_case(BATCH, Scale(quick=True))
    assert outcome.skipped == "multisock_linux_ext has no sendmmsg or recvmmsg yet"
