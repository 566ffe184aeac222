"""Every benchmark case, in the order a run reports them."""

from __future__ import annotations

from ..harness import Case
from .bulk import BULK
from .lifecycle import CREATE_CLOSE, MEMORY
from .linux_ext import AFALG_SHA256, BATCH
from .roundtrip import PINGPONG, UDP
from .startup import FIRST_USE_CASE, STARTUP, STARTUP_INSTRUCTIONS

__all__ = ["CASES"]

CASES: tuple[Case, ...] = (
    PINGPONG,
    UDP,
    BULK,
    CREATE_CLOSE,
    MEMORY,
    STARTUP,
    STARTUP_INSTRUCTIONS,
    FIRST_USE_CASE,
    BATCH,
    AFALG_SHA256,
)
