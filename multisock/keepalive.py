"""A portable TCP keepalive setting.

One value, applied by each backend in its platform's terms: SO_KEEPALIVE plus TCP_KEEPIDLE
(TCP_KEEPALIVE on macOS), TCP_KEEPINTVL and TCP_KEEPCNT on POSIX systems; the
SIO_KEEPALIVE_VALS ioctl (milliseconds) on Windows::

    sock.set_keepalive(Keepalive(idle=60, interval=10, count=5))
    sock.get_keepalive()  # Keepalive(enabled=True, idle=60, interval=10, count=5)
"""

from __future__ import annotations

from typing import Annotated

from .fields import Model, int_in_range

__all__ = ["Keepalive"]

# The narrowest range every platform accepts: Linux caps idle and interval at 32767 s
# (MAX_TCP_KEEPIDLE/MAX_TCP_KEEPINTVL) and the probe count at 127 (MAX_TCP_KEEPCNT).
Seconds = Annotated[int, int_in_range(1, 32767, "value")]
Probes = Annotated[int, int_in_range(1, 127, "value")]


class Keepalive(Model):
    """Whether TCP keepalive is on, and its timing.

    ``idle``: seconds of silence before the first probe; ``interval``: seconds between
    probes; ``count``: unanswered probes before the connection is dropped. None leaves the
    system's value. Windows cannot set ``count`` through SIO_KEEPALIVE_VALS (it is fixed at
    10 there), so a winsock backend sets it with TCP_KEEPCNT where that exists.

    From ``get_keepalive()``, None means the platform cannot read that value back (Windows
    builds before TCP_KEEPIDLE and friends; Wine, which refuses them).
    """

    enabled: bool = True
    idle: Seconds | None = None
    interval: Seconds | None = None
    count: Probes | None = None
