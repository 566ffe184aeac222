"""Run a command on Debian's stock Linux kernel, in qemu, with this machine's file system.

This machine's kernel may lack features the linux_ext backend serves (AF_ALG), so its
conformance run boots Debian's kernel: qemu with TCG (nested KVM does not work here), the
host's root shared read-only over 9p so the host's Python and virtualenvs run unchanged, one
host folder shared writable for reports, loopback networking only. ::

    python tools/vm.py [--out DIR] [--timeout S] [--must-pass BACKEND:FILE --report R.json] \\
        -- COMMAND [ARG...]

The guest runs COMMAND in the current directory and reports its exit status on the console;
this script exits with it. When the VM cannot be prepared here it prints
"unsupported here: why" and exits 0, or 3 when MULTISOCK_REQUIRE_VM=1 (CI).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import lzma
import os
import platform
import re
import select
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NoReturn

ROOT: Final = Path(__file__).resolve().parent.parent
CACHE: Final = ROOT / ".work" / "vm"
PACKAGES: Final = ("qemu-system-x86", "busybox-static", "kmod")
META_PACKAGE: Final = "linux-image-amd64"
EXIT_MARK: Final = "MULTISOCK-VM-EXIT="
UNSUPPORTED_EXIT: Final = 3
# Loaded in this order in the initramfs to reach the 9p share.
NINEP_MODULES: Final = (
    "virtio_ring",
    "virtio",
    "virtio_pci_modern_dev",
    "virtio_pci_legacy_dev",
    "virtio_pci",
    "netfs",
    "fscache",
    "9pnet",
    "9pnet_virtio",
    "9p",
)
# Loaded before the command runs; anything else the kernel asks for is loaded on demand.
PRELOAD: Final = ("af_alg", "algif_hash", "algif_skcipher", "algif_aead", "gcm", "ctr")
APPLETS: Final = (
    "sh", "mount", "insmod", "chroot", "mkdir", "cat", "base64", "ip", "poweroff",
    "sync", "sleep", "rm", "ln", "dmesg", "sed",
)  # fmt: skip


class Unsupported(Exception):
    """The VM cannot be prepared on this machine; the message says why."""


@dataclass(frozen=True)
class Kernel:
    """An unpacked Debian kernel: its root folder and release (e.g. 6.1.0-56-amd64)."""

    root: Path
    release: str

    @property
    def vmlinuz(self) -> Path:
        return self.root / "boot" / f"vmlinuz-{self.release}"

    @property
    def modules(self) -> Path:
        return self.root / "lib" / "modules" / self.release

    @property
    def label(self) -> str:
        """The platform label of reports, e.g. ``linux 6.1 (debian, qemu)``."""
        major_minor = ".".join(self.release.split(".")[:2])
        return f"linux {major_minor} (debian, qemu)"


# -- preparing the host --------------------------------------------------------------------


def run_quiet(command: Sequence[str], what: str, cwd: Path | None = None) -> str:
    """Run a preparation step; raise Unsupported with its output if it fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)
    except OSError as exc:
        raise Unsupported(f"{what}: {exc}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise Unsupported(f"{what} failed ({done.returncode}): {' / '.join(tail)}")
    return done.stdout


def is_static(path: Path) -> bool:
    """Whether an ELF executable needs no dynamic loader (no PT_INTERP program header)."""
    data = path.read_bytes()
    if data[:5] != b"\x7fELF\x02":  # 64-bit ELF
        return False
    offset, size, count = (
        int.from_bytes(data[0x20:0x28], "little"),
        int.from_bytes(data[0x36:0x38], "little"),
        int.from_bytes(data[0x38:0x3A], "little"),
    )
    kinds = (
        int.from_bytes(data[offset + i * size : offset + i * size + 4], "little")
        for i in range(count)
    )
    return 3 not in kinds  # PT_INTERP


def ensure_tools() -> None:
    """qemu, a static busybox and depmod, installed from Debian's packages if missing."""
    if not sys.platform.startswith("linux") or platform.machine() != "x86_64":
        raise Unsupported(f"needs an x86_64 Linux host, not {sys.platform} {platform.machine()}")
    if all(map(Path.exists, _tool_paths())) and is_static(Path("/bin/busybox")):
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise Unsupported(f"qemu/busybox-static/kmod missing and cannot install {PACKAGES}")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES]
    try:
        run_quiet(install, "apt-get install")
    except Unsupported:
        run_quiet(["apt-get", "update", "-q"], "apt-get update")
        run_quiet(install, "apt-get install")


def _tool_paths() -> list[Path]:
    return [Path("/usr/bin/qemu-system-x86_64"), Path("/bin/busybox"), Path("/sbin/depmod")]


def kernel_package() -> str:
    """The versioned package the linux-image-amd64 meta-package depends on."""
    text = run_quiet(["apt-cache", "depends", META_PACKAGE], "apt-cache depends")
    found = re.findall(r"Depends:\s*(linux-image-[0-9][\w.+-]*)", text)
    if not found:
        run_quiet(["apt-get", "update", "-q"], "apt-get update")
        text = run_quiet(["apt-cache", "depends", META_PACKAGE], "apt-cache depends")
        found = re.findall(r"Depends:\s*(linux-image-[0-9][\w.+-]*)", text)
    if not found:
        raise Unsupported(f"no kernel package behind {META_PACKAGE} in the apt lists")
    return str(found[0])


def ensure_kernel(cache: Path) -> Kernel:
    """Debian's kernel unpacked under ``cache`` (downloaded once), with modules.dep built."""
    package = kernel_package()
    release = package.removeprefix("linux-image-")
    root = cache / release
    kernel = Kernel(root, release)
    if (kernel.modules / "modules.dep").exists() and kernel.vmlinuz.exists():
        return kernel
    download = cache / "download"
    shutil.rmtree(download, ignore_errors=True)
    download.mkdir(parents=True)
    run_quiet(
        ["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", package],
        f"apt-get download {package}",
        cwd=download,
    )
    debs = list(download.glob("*.deb"))
    if not debs:
        raise Unsupported(f"apt-get download {package} left no .deb")
    shutil.rmtree(root, ignore_errors=True)
    run_quiet(["dpkg-deb", "-x", str(debs[0]), str(root)], "dpkg-deb -x")
    for deb in debs:
        deb.unlink()
    run_quiet(["/sbin/depmod", "-b", str(root), release], "depmod")
    return kernel


# -- the initramfs -------------------------------------------------------------------------


def newc(entries: Iterator[tuple[str, int, bytes]]) -> bytes:
    """A cpio archive in the 'newc' format the kernel unpacks: (name, mode, data) entries."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate([*entries, ("TRAILER!!!", 0, b"")], start=1):
        encoded = name.encode() + b"\0"
        fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0)
        out += b"070701" + "".join(f"{field:08x}" for field in fields).encode() + encoded
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def module_file(kernel: Kernel, name: str) -> Path | None:
    """The .ko of a module (None if built in), from modules.dep's paths."""
    for line in (kernel.modules / "modules.dep").read_text().splitlines():
        path = line.split(":", 1)[0]
        base = Path(path).name.split(".ko")[0]
        if base.replace("-", "_") == name.replace("-", "_"):
            return kernel.modules / path
    return None


def module_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".xz":
        return lzma.decompress(data)
    if path.suffix == ".gz":
        return gzip.decompress(data)
    return data


INIT: Final = r"""#!/bin/sh
# PID 1 of the test VM: mount the host's file system, run the command, report its status.
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for module in {ninep}; do
    [ -f /modules/$module.ko ] && insmod /modules/$module.ko
done
R=/host
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose host $R || poweroff -f
chroot $R /sbin/modprobe -a -d {kroot} {preload}
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out $R{out}
mount -t proc proc $R/proc; mount -t sysfs sys $R/sys; mount -t devtmpfs dev $R/dev
# Scratch space on a tmpfs at /dev/shm, not over /tmp: the project (and CI's clone of it)
# may live under the host's /tmp, which must stay visible.
mkdir -p $R/dev/shm $R/dev/pts; mount -t tmpfs shm $R/dev/shm; mkdir -p $R/dev/shm/tmp
ip link set lo up
command=$(cat /proc/cmdline | sed -n 's/.*mscmd=\([^ ]*\).*/\1/p' | base64 -d)
chroot $R /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root \
    LANG=C.UTF-8 TMPDIR=/dev/shm/tmp {env} /bin/sh -c "$command"
echo "{mark}$?"
sync
poweroff -f
"""

# The kernel runs /sbin/modprobe in pid 1's root (the initramfs) to load modules on demand:
# hand those requests to the host's modprobe, looking in the unpacked kernel's tree.
MODPROBE: Final = """#!/bin/sh
exec chroot /host /sbin/modprobe -d {kroot} "$@"
"""


def initramfs(kernel: Kernel, out: Path, env: dict[str, str]) -> bytes:
    """The gzipped initramfs: busybox, the 9p modules, /init and the modprobe relay."""
    assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in sorted(env.items()))
    init = INIT.format(
        ninep=" ".join(NINEP_MODULES),
        kroot=shlex.quote(str(kernel.root)),
        preload=" ".join(PRELOAD),
        out=shlex.quote(str(out)),
        env=assignments,
        mark=EXIT_MARK,
    )

    def entries() -> Iterator[tuple[str, int, bytes]]:
        for folder in ("bin", "sbin", "proc", "sys", "dev", "host", "modules"):
            yield folder, 0o40755, b""
        yield "bin/busybox", 0o100755, Path("/bin/busybox").read_bytes()
        for applet in APPLETS:
            yield f"bin/{applet}", 0o120777, b"busybox"
        yield "init", 0o100755, init.encode()
        yield "sbin/modprobe", 0o100755, MODPROBE.format(kroot=kernel.root).encode()
        for name in NINEP_MODULES:
            path = module_file(kernel, name)
            if path is not None:
                yield f"modules/{name}.ko", 0o100644, module_bytes(path)

    return gzip.compress(newc(entries()), compresslevel=1)


# -- running -------------------------------------------------------------------------------


def qemu_command(kernel: Kernel, initrd: Path, out: Path, command: str) -> list[str]:
    encoded = base64.b64encode(command.encode()).decode()
    append = f"console=ttyS0 quiet panic=-1 mscmd={encoded}"
    if len(append) > 2000:
        raise Unsupported("the command is too long for the kernel command line")
    return [
        "qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "2048", "-smp", "2",
        "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
        "-nic", "none", "-kernel", str(kernel.vmlinuz), "-initrd", str(initrd),
        "-append", append,
        "-virtfs", "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
        "-virtfs", f"local,path={out},mount_tag=out,security_model=none,multidevs=remap",
    ]  # fmt: skip


def console_lines(qemu: subprocess.Popen[bytes], deadline: float) -> Iterator[str]:
    """The guest console's lines until qemu exits; TimeoutError at the deadline."""
    assert qemu.stdout is not None
    fd = qemu.stdout.fileno()
    pending = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], remaining)
        chunk = os.read(fd, 65536) if ready else b""
        if ready and not chunk:
            break
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            yield line.decode("utf-8", "replace").rstrip("\r")
    if pending:
        yield pending.decode("utf-8", "replace").rstrip("\r")


def boot(argv: list[str], timeout: float) -> int:
    """Run qemu, echo the console, return the status the guest printed."""
    status: int | None = None
    with subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as qemu:
        try:
            for line in console_lines(qemu, time.monotonic() + timeout):
                if line.startswith(EXIT_MARK):
                    status = int(line.removeprefix(EXIT_MARK) or 1)
                else:
                    print(line, flush=True)
        except TimeoutError:
            qemu.kill()
            print(f"vm: timed out after {timeout:.0f} s", flush=True)
            return 124
        qemu.wait()
    if status is None:
        print(f"vm: the guest ended without an exit status (qemu {qemu.returncode})")
        return 125
    return status


def check_report(report: Path, must_pass: list[str]) -> int:
    """1 unless every test of each BACKEND:FILE in the report ran and passed."""
    results = json.loads(report.read_text())["results"]
    failed = 0
    for rule in must_pass:
        backend, _, test_file = rule.partition(":")
        chosen = [r for r in results if r["backend"] == backend and test_file in r["test"]]
        bad = [r for r in chosen if r["outcome"] != "passed"]
        if not chosen or bad:
            failed = 1
            print(f"vm: {rule}: {len(chosen)} tests, not passed: {len(bad)}")
            for r in bad[:10]:
                print(f"    {r['test']}: {r['outcome']} {r['reason'] or ''}")
        else:
            print(f"vm: {rule}: all {len(chosen)} tests passed")
    return failed


def unsupported(reason: str) -> NoReturn:
    print(f"unsupported here: {reason}", flush=True)
    sys.exit(UNSUPPORTED_EXIT if os.environ.get("MULTISOCK_REQUIRE_VM") == "1" else 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "reports", help="writable folder")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for the whole run")
    parser.add_argument("--must-pass", action="append", default=[], metavar="BACKEND:FILE")
    parser.add_argument("--report", type=Path, help="the JSON report --must-pass reads")
    parser.add_argument("--label", action="store_true", help="print the platform label, exit")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"] if args.command[:1] == ["--"] else args.command
    started = time.monotonic()
    try:
        ensure_tools()
        kernel = ensure_kernel(CACHE)
        if args.label:
            print(kernel.label)
            return 0
        out = args.out.resolve()
        out.mkdir(parents=True, exist_ok=True)
        initrd = CACHE / "initrd.gz"
        env = {k: v for k, v in os.environ.items() if k.startswith("MULTISOCK_")}
        initrd.write_bytes(initramfs(kernel, out, env))
        # "{platform}" in the command stands for the label, e.g. "linux 6.1 (debian, qemu)".
        command = [part.replace("{platform}", kernel.label) for part in command]
        line = f"cd {shlex.quote(str(Path.cwd()))} && {shlex.join(command)}"
        argv_qemu = qemu_command(kernel, initrd, out, line)
    except Unsupported as exc:
        unsupported(str(exc))
    print(f"vm: booting {kernel.label} ({time.monotonic() - started:.1f} s to prepare)")
    status = boot(argv_qemu, args.timeout - (time.monotonic() - started))
    print(f"vm: command exited {status} after {time.monotonic() - started:.1f} s")
    if status == 0 and args.must_pass:
        if args.report is None:
            parser.error("--must-pass needs --report")
        status = check_report(args.report, args.must_pass)
    return status


if __name__ == "__main__":
    sys.exit(main())
