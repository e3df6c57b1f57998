"""End to end against the local endpoint: setup, setup again (no change), cleanup.

Started by the README's first command. Runs the real console scripts, exactly
as an operator would against AWS, with the local endpoint in place of AWS.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def start_endpoint() -> tuple[subprocess.Popen[str], str]:
    """Start tools/local_aws.py on a free port and return it with its URL."""
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "local_aws.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if "listening on " not in line:
        server.kill()
        sys.exit(f"local endpoint did not start: {line!r}")
    return server, line.split("listening on ", 1)[1].strip()


def step(title: str, command: list[str], env: dict[str, str]) -> None:
    print(f"\n$ {' '.join(command)}    # {title}", flush=True)
    result = subprocess.run([str(BIN / command[0]), *command[1:]], env=env, check=False)
    if result.returncode != 0:
        sys.exit(f"demo failed: {command[0]} exited {result.returncode}")


def main() -> None:
    server, url = start_endpoint()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    print(f"local AWS endpoint at {url} (AWS_ENDPOINT_URL); region eu-west-1")
    try:
        step("create the 8 default windows, baseline and patch groups", ["ssm-patching-setup"], env)
        step("run again: everything is already in place", ["ssm-patching-setup"], env)
        step("remove exactly what setup made", ["ssm-patching-cleanup", "--yes"], env)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
