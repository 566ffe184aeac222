"""SIO_KEEPALIVE_VALS's value as a pydantic model, imported on first need."""

from __future__ import annotations

from typing import Annotated

from pydantic import PlainValidator

from ..fields import Model, as_index, fail
from . import _MS_ALLOWED, _ONOFF_ALLOWED, U32_MAX

__all__ = ["KeepaliveValues"]


def _field_u32(value: object, allowed: str) -> int:
    number = as_index(value, allowed)
    if not 0 <= number <= U32_MAX:
        fail("overflow", "does not fit an unsigned 32-bit field", allowed)
    return number


OnOff = Annotated[bool, PlainValidator(lambda value: _field_u32(value, _ONOFF_ALLOWED) != 0)]
Milliseconds = Annotated[int, PlainValidator(lambda value: _field_u32(value, _MS_ALLOWED))]


class KeepaliveValues(Model):
    """SIO_KEEPALIVE_VALS's ``struct tcp_keepalive``.

    ``onoff`` switches keepalive on or off; ``keepalivetime`` is the idle time before the
    first probe and ``keepaliveinterval`` the time between probes, both in milliseconds.
    Windows sets both times at once; the probe count is not part of it (TCP_KEEPCNT).
    """

    onoff: OnOff
    keepalivetime: Milliseconds
    keepaliveinterval: Milliseconds
