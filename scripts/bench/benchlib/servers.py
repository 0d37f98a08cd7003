"""Shared pieces of the client/server measures: the release emulator with seeded users, the
official Python SDK's venv and the OCI CLI in it, free ports and a process's CPU time.

`ctx.server(argv, port)` itself is a method of `Context` (core.py); `emulator()` runs on it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from .core import ROOT, Context, log, run_checked, target_dir, workspace_packages

PY_DIR = Path(__file__).resolve().parents[1]  # scripts/bench: py_get_user.py, py_first_call.py, py_transfer.py


VENV_ENV = "OCI_BENCH_VENV"  # an existing venv with `oci` installed, reused instead of .bench-venv


DEFAULT_VENV = ROOT / ".bench-venv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds_of(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/PID/stat, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def python_sdk(ctx: Context) -> list[str]:
    """argv prefix running the venv's python with the bytecode cache on.

    $OCI_BENCH_VENV names an existing venv with `oci` installed; otherwise the runner creates
    .bench-venv at the repository root once (`python3 -m venv`, `pip install oci`).
    """
    if "python" not in ctx.built:
        venv = Path(os.environ.get(VENV_ENV) or DEFAULT_VENV)
        py = venv / "bin" / "python"
        if not py.exists():
            log(f"creating {venv} and installing the official OCI Python SDK (pip install oci) ...")
            run_checked([sys.executable, "-m", "venv", str(venv)])
            run_checked([str(py), "-m", "pip", "install", "--quiet", "oci"])
        version = run_checked([str(py), "-c", "import oci; print(oci.__version__)"]).strip()
        ctx.built["python"] = ["env", "-u", "PYTHONDONTWRITEBYTECODE", str(py)]
        ctx.built["oci_version"] = version
        log(f"Python SDK: oci {version} in {venv}")
    return list(ctx.built["python"])


def oci_cli(ctx: Context) -> list[str]:
    """argv prefix running the OCI CLI from the SDK's venv (`pip install oci-cli` there when missing)."""
    if "oci_cli" not in ctx.built:
        py = Path(python_sdk(ctx)[-1])
        cli = py.parent / "oci"
        if not cli.exists():
            log(f"installing the OCI CLI into {py.parent.parent} (pip install oci-cli) ...")
            run_checked([str(py), "-m", "pip", "install", "--quiet", "oci-cli"])
            # oci-cli pins the SDK version it needs: record the one now installed.
            ctx.built["oci_version"] = run_checked([str(py), "-c", "import oci; print(oci.__version__)"]).strip()
        ctx.built["oci_cli"] = ["env", "-u", "PYTHONDONTWRITEBYTECODE", "SUPPRESS_LABEL_WARNING=True",
                                "OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING=True", str(cli)]
        ctx.built["oci_cli_version"] = run_checked([*ctx.built["oci_cli"], "--version"]).strip()
        log(f"OCI CLI {ctx.built['oci_cli_version']}, oci {ctx.built['oci_version']}")
    return list(ctx.built["oci_cli"])


def emulator_binary(ctx: Context) -> Path:
    if "oci-emulator" not in ctx.built:
        log("building oci-emulator (release) ...")
        run_checked(["cargo", "build", "--release", "--locked", "-p", "oci-emulator"])
        ctx.built["oci-emulator"] = True
    return target_dir() / "release" / "oci-emulator"


@dataclass
class Emu:
    """A running emulator: its endpoint, config file, /_emulator/info, process, seeded users."""

    endpoint: str
    config: Path
    info: dict
    proc: subprocess.Popen
    users: Optional[Path] = None


@contextlib.contextmanager
def emulator(ctx: Context, cpus: str, seed_users: int = 0, extra: tuple[str, ...] = ()) -> Iterator[Emu]:
    """The release emulator pinned to `cpus`, with `seed_users` users created through the API.

    `extra` are more emulator options (e.g. `--token-lifetime-secs 4`)."""
    import urllib.request

    binary = emulator_binary(ctx)
    bench = ctx.bench_binary("identity-load")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="oci-bench-emu-") as tmp:
        cfg_dir = Path(tmp) / "emu"
        argv = [str(binary), "--listen", f"127.0.0.1:{port}", "--config-dir", str(cfg_dir), *extra]
        with ctx.server(argv, port, cpus=cpus) as proc:
            endpoint = f"http://127.0.0.1:{port}"
            # It listens before it writes DIR/config and then DIR/endpoint: wait for the last.
            deadline = time.monotonic() + 30
            while not (cfg_dir / "endpoint").exists():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the emulator wrote no {cfg_dir / 'endpoint'} in 30 s")
                time.sleep(0.02)
            with urllib.request.urlopen(f"{endpoint}/_emulator/info", timeout=10) as r:
                info = json.loads(r.read())
            emu = Emu(endpoint, cfg_dir / "config", info, proc)
            if seed_users:
                emu.users = Path(tmp) / "users.txt"
                log(f"seeding {seed_users} users through IdentityClient::create_user ...")
                run_checked([str(bench), "seed", "--config", str(emu.config), "--endpoint", endpoint,
                             "--tenancy", info["tenancy"], "--count", str(seed_users), "--out", str(emu.users)])
            yield emu


def available_emulator(ctx: Context) -> Optional[str]:
    packages = workspace_packages()
    for p in ("oci-emulator", "oci-identity"):
        if p not in packages:
            return f"the {p} crate is not in this workspace"
    return None


def available_python(ctx: Context) -> Optional[str]:
    return available_emulator(ctx)
