"""End to end against the local endpoint: setup, setup again (no change), cleanup.

Started by the README's first command. Runs the real console scripts, exactly
as an operator would against AWS, with the local endpoint in place of AWS.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import launch  # tools/launch.py: run as a script, tools/ is on sys.path

BIN = Path(sys.executable).parent


def start_endpoint() -> launch.Server:
    """Start tools/local_aws.py on a free port (tools/launch.py) and return it with its URL."""
    try:
        return launch.start("local_aws", "--port", "0")
    except launch.NotReady as exc:
        sys.exit(f"local endpoint did not start: {exc}")


def step(title: str, command: list[str], env: dict[str, str]) -> None:
    print(f"\n$ {' '.join(command)}    # {title}", flush=True)
    result = subprocess.run([str(BIN / command[0]), *command[1:]], env=env, check=False)
    if result.returncode != 0:
        sys.exit(f"demo failed: {command[0]} exited {result.returncode}")


def main() -> None:
    server = start_endpoint()
    url = server.url
    env = launch.client_env(
        url,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_DEFAULT_REGION="eu-west-1",
    )
    print(f"local AWS endpoint at {url} (AWS_ENDPOINT_URL); region eu-west-1")
    try:
        step("create the 8 default windows, baseline and patch groups", ["ssm-patching-setup"], env)
        step("run again: everything is already in place", ["ssm-patching-setup"], env)
        step("remove exactly what setup made", ["ssm-patching-cleanup", "--yes"], env)
    finally:
        launch.stop(server)


if __name__ == "__main__":
    main()
