"""End to end against the local endpoint: setup, setup again (no change), a small fleet
put into the patch groups, status, the calendar, cleanup.

Started by the README's first command. Runs the real console scripts, exactly
as an operator would against AWS, with the local endpoint in place of AWS.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
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


#: A small fleet for the demo, one node per default patch group: hybrid nodes (``mi-``) of
#: the OS the default baseline patches, as the stand-in's seeding API takes them.
FLEET = [
    {"PlatformType": "Linux", "PlatformName": "Amazon Linux", "PlatformVersion": "2", "Name": n}
    for n in ("web-1", "web-2", "web-3", "web-4", "app-1", "app-2", "db-1", "db-2")
]


def seed_fleet(url: str, region: str) -> None:
    """Register FLEET as managed nodes of the region (POST /local-api/managed-nodes)."""
    body = {"account": "123456789012", "region": region, "nodes": FLEET}
    request = urllib.request.Request(
        f"{url}/local-api/managed-nodes",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        made = json.loads(response.read())["InstanceIds"]
    print(f"\n# {len(made)} managed nodes registered with the local endpoint: {', '.join(made)}")


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
        seed_fleet(url, "eu-west-1")
        assign = ["ssm-patching-setup", "assign", "--all", "--spread", "--yes"]
        step("spread the managed nodes over the 8 patch groups", assign, env)
        step("what is deployed, and the fleet it covers", ["ssm-patching-setup", "status"], env)
        calendar = ["ssm-patching-setup", "calendar", "--months", "1"]
        step("when the windows run next month", calendar, env)
        step("remove exactly what setup made", ["ssm-patching-cleanup", "--yes"], env)
    finally:
        launch.stop(server)


if __name__ == "__main__":
    main()
