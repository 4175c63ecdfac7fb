"""The peers: LiteLLM's proxy (PyPI, own virtual environment) and Portkey's gateway (npm), installed on demand.

Both are installed under bench/ (git-ignored) by their ordinary clients, idempotently: a second run finds the
pinned version and installs nothing. A failed install raises SkipError; the comparison records the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench import procs
from bench.compare.target import SkipError, Target, start_in

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
LITELLM_VERSION = "1.81.13"  # pinned; a release from before the compromised 1.82.7/1.82.8 uploads of 2026-03
LITELLM_VENV = BENCH / ".venv-litellm"
PORTKEY_VERSION = "1.15.2"
PORTKEY_DIR = BENCH / ".portkey"
MASTER_KEY = "sk-bench-compare-master-key"
# Variables of our own environment that would change how a peer behaves (a database, a Redis, a log level).
SCRUBBED_ENV = ("DATABASE_URL", "REDIS_URL", "REDIS_HOST", "LOG_LEVEL", "PORT", "HOST", "NUM_WORKERS")


def _run(command: list[str], cwd: Path | None = None, timeout: float = 900) -> None:
    """Run an install command; raise SkipError with the tail of its output when it fails."""
    print(f"  $ {' '.join(command)}", flush=True)
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SkipError(f"{command[0]} failed: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise SkipError(f"`{' '.join(command[:4])} ...` exited {done.returncode}: {' | '.join(tail)}")


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    return {**env, **extra}


def litellm_installed_version() -> str | None:
    """The litellm version in the bench venv, None when the venv or the package is missing."""
    python = LITELLM_VENV / "bin" / "python"
    if not python.exists():
        return None
    done = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def install_litellm() -> str:
    """Create bench/.venv-litellm and pip-install `litellm[proxy]==LITELLM_VERSION` unless already there."""
    if litellm_installed_version() == LITELLM_VERSION and (LITELLM_VENV / "bin" / "litellm").exists():
        print(f"litellm {LITELLM_VERSION}: already installed in {LITELLM_VENV}", flush=True)
        return LITELLM_VERSION
    print(f"installing litellm[proxy]=={LITELLM_VERSION} into {LITELLM_VENV}", flush=True)
    _run([sys.executable, "-m", "venv", str(LITELLM_VENV)])
    _run([str(LITELLM_VENV / "bin" / "pip"), "install", "-q", f"litellm[proxy]=={LITELLM_VERSION}"])
    version = litellm_installed_version()
    if version != LITELLM_VERSION:
        raise SkipError(f"litellm install finished but reports version {version}")
    return version


def _litellm_config(workdir: Path, upstream_port: int) -> Path:
    """One model, the fast upstream as its api_base, a master key, no database, no callbacks."""
    config = {  # YAML is a superset of JSON: no YAML writer needed
        "model_list": [
            {
                "model_name": "gpt-4o-mini",
                "litellm_params": {
                    "model": "openai/gpt-4o-mini",
                    "api_base": f"http://127.0.0.1:{upstream_port}/v1",
                    "api_key": "x",
                },
            }
        ],
        "litellm_settings": {"set_verbose": False, "json_logs": False, "request_timeout": 30},
        "general_settings": {
            "master_key": MASTER_KEY,
            "disable_spend_logs": True,
            "disable_error_logs": True,
        },
    }
    path = workdir / "litellm-config.yaml"
    path.write_text(json.dumps(config, indent=2))
    return path


def start_litellm(workdir: Path, upstream_port: int, cpu: str | None) -> Target:
    """`litellm --config ... --num_workers 1 --telemetry False` on a free loopback port; waits for liveliness."""
    version = install_litellm()
    port = procs.free_port()
    command = [
        str(LITELLM_VENV / "bin" / "litellm"),
        "--config",
        str(_litellm_config(workdir, upstream_port)),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--num_workers",
        "1",
        "--telemetry",
        "False",
    ]
    env = _clean_env(
        {
            "LITELLM_LOG": "ERROR",  # no per-request info lines
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # no fetch of the price list from the internet at start-up
            "LITELLM_MODE": "PRODUCTION",  # no .env loading
        }
    )
    proc = start_in(workdir, procs.pinned(command, cpu), env, workdir / "litellm.log")
    try:
        procs.wait_healthy(f"http://127.0.0.1:{port}/health/liveliness", proc, seconds=120)
    except RuntimeError as exc:
        procs.stop(proc)
        raise SkipError(f"litellm did not start: {exc} (log: {workdir / 'litellm.log'})") from exc
    return Target(
        name="litellm",
        version=f"litellm {version} (PyPI, litellm[proxy])",
        url=f"http://127.0.0.1:{port}/v1/chat/completions",
        headers={"Authorization": f"Bearer {MASTER_KEY}"},
        proc=proc,
        details={"command": command[1:], "env": {k: env[k] for k in ("LITELLM_LOG", "LITELLM_MODE")}},
    )


def _portkey_installed_version() -> str | None:
    package = PORTKEY_DIR / "node_modules" / "@portkey-ai" / "gateway" / "package.json"
    if not package.exists():
        return None
    return str(json.loads(package.read_text()).get("version"))


def install_portkey() -> str:
    """npm-install `@portkey-ai/gateway@PORTKEY_VERSION` into bench/.portkey unless already there."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise SkipError("node/npm not on PATH (apt-get install nodejs npm)")
    if _portkey_installed_version() == PORTKEY_VERSION:
        print(f"@portkey-ai/gateway {PORTKEY_VERSION}: already installed in {PORTKEY_DIR}", flush=True)
        return PORTKEY_VERSION
    print(f"installing @portkey-ai/gateway@{PORTKEY_VERSION} into {PORTKEY_DIR}", flush=True)
    PORTKEY_DIR.mkdir(parents=True, exist_ok=True)
    manifest = PORTKEY_DIR / "package.json"
    if not manifest.exists():
        manifest.write_text(json.dumps({"name": "bench-portkey", "private": True}) + "\n")
    _run(["npm", "install", "--no-audit", "--no-fund", f"@portkey-ai/gateway@{PORTKEY_VERSION}"], PORTKEY_DIR)
    version = _portkey_installed_version()
    if version != PORTKEY_VERSION:
        raise SkipError(f"npm install finished but the package reports version {version}")
    return version


def _node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def start_portkey(workdir: Path, upstream_port: int, cpu: str | None) -> Target:
    """`node build/start-server.js --port=N --headless` (NODE_ENV=production: no UI, no log stream)."""
    version = install_portkey()
    port = procs.free_port()
    script = PORTKEY_DIR / "node_modules" / "@portkey-ai" / "gateway" / "build" / "start-server.js"
    command = ["node", str(script), f"--port={port}", "--headless"]
    env = _clean_env({"NODE_ENV": "production"})
    proc = start_in(workdir, procs.pinned(command, cpu), env, workdir / "portkey.log")
    try:
        procs.wait_healthy(f"http://127.0.0.1:{port}/", proc, seconds=60)
    except RuntimeError as exc:
        procs.stop(proc)
        raise SkipError(f"portkey did not start: {exc} (log: {workdir / 'portkey.log'})") from exc
    return Target(
        name="portkey",
        version=f"@portkey-ai/gateway {version} (npm), node {_node_version()}",
        url=f"http://127.0.0.1:{port}/v1/chat/completions",
        headers={
            "x-portkey-provider": "openai",
            "x-portkey-custom-host": f"http://127.0.0.1:{upstream_port}/v1",
            "Authorization": "Bearer x",
        },
        proc=proc,
        details={"command": command[1:], "env": {"NODE_ENV": "production"}},
    )
