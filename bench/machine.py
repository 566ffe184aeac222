"""What a run was taken on: CPU, cores, kernel, Python, date, and the packages measured."""

from __future__ import annotations

import datetime
import os
import platform
from importlib import metadata
from pathlib import Path

__all__ = ["describe_machine", "load_average"]


def describe_machine() -> dict[str, str | int | float | None]:
    """The facts the report's header shows, as JSON-ready values."""
    cpu, virtual = _cpu()
    return {
        "cpu": cpu,
        "virtualised": virtual,
        "cores": os.cpu_count(),
        "kernel": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": load_average(),
        "multisock": _version("multisock"),
        "pydantic": _version("pydantic"),
    }


def _cpu() -> tuple[str, str | None]:
    """The CPU model, and whether it is a virtual machine's (x86 'hypervisor' flag)."""
    fields: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())  # the first CPU's
    model = fields.get("model name") or platform.processor() or platform.machine()
    flags = fields.get("flags")
    virtual = None if flags is None else ("yes" if "hypervisor" in flags.split() else "no")
    return model, virtual


def load_average() -> float | None:
    """The one-minute load average: how busy the machine was around a run."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
