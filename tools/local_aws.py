"""Local AWS stand-in for the tests: moto's server (all services, incl. SSM, IAM, STS).

Usage: ``python tools/local_aws.py --port N [--host 127.0.0.1] [--verbose]``
(``--port 0`` picks a free port; ``--verbose`` logs each request to stderr). When it
accepts connections it prints exactly one line, ``local_aws listening on
http://HOST:PORT``, and serves until SIGTERM/SIGINT (exit status 0). moto's
``POST /moto-api/reset`` keeps working (the extra SSM state below is reset with it).

Importing this module patches moto 5.2.5's SSM backend/response classes (see
tools/local_ssm.py; data and schedule helpers in tools/local_ssm_data.py). Gaps filled,
each following the SSM API reference and botocore's SSM model:

1. Tags on patch baselines: CreatePatchBaseline ``Tags`` and AddTagsToResource /
   ListTagsForResource / RemoveTagsFromResource with ResourceType=PatchBaseline work
   (moto raised InvalidResourceId); maintenance-window tags keep working; an unknown or
   AWS-owned baseline id gives InvalidResourceId; more than 50 tags gives
   TooManyTagsError; deleting a baseline/window drops its tags.
2. Missing operations added: GetPatchBaseline (full output shape incl. PatchGroups,
   CreatedDate, ModifiedDate, Sources, AvailableSecurityUpdatesComplianceStatus),
   UpdatePatchBaseline (Replace semantics; returns the full baseline), DescribePatchGroups
   (NAME_PREFIX / OPERATING_SYSTEM filters, pagination), GetMaintenanceWindowTask,
   UpdateMaintenanceWindow, UpdateMaintenanceWindowTarget, UpdateMaintenanceWindowTask
   (Replace=false changes only the given fields; Replace=true requires the fields the
   create/register call requires (else ValidationException) and clears the rest, except
   that a task's Priority / CutoffBehavior go back to their defaults 1 / CONTINUE_TASK and
   a window's Enabled to true; a given TaskInvocationParameters replaces the old one
   wholesale, as documented), GetDefaultPatchBaseline, RegisterDefaultPatchBaseline.
   Behaviour fixed: RegisterPatchBaselineForPatchGroup refuses a second baseline for the
   same patch group + operating system (AlreadyExistsException; moto let the same one
   through and its default-association table made GetPatchBaselineForPatchGroup /
   Deregister wrong); DeregisterPatchBaselineForPatchGroup really removes the
   registration (moto re-set it) and gives InvalidResourceId when not registered;
   GetPatchBaselineForPatchGroup falls back to the OS's default baseline;
   DeletePatchBaseline returns its BaselineId, refuses a baseline registered to a patch
   group or set as default (ResourceInUseException), refuses AWS-owned baselines
   (AccessDeniedException; AWS does not document the code) and succeeds for unknown ids
   (moto: KeyError -> HTTP 500); DeleteMaintenanceWindow returns WindowId, drops targets,
   tasks and tags, and succeeds for unknown ids (the model lists no not-found error);
   DeregisterTargetFromMaintenanceWindow / DeregisterTaskFromMaintenanceWindow return
   their ids, give DoesNotExistException for unknown ids (moto: HTTP 500) and
   Safe=true refuses a target that a task references via WindowTargetIds
   (TargetInUseException; without Safe the task keeps its now-dangling reference);
   GetMaintenanceWindow returns every output member (AllowUnassociatedTargets, Enabled,
   CreatedDate, ModifiedDate, NextExecutionTime computed from the cron/rate schedule,
   time zone, offset, start and end dates).
3. AWS-owned predefined baselines per region: one default per OperatingSystem enum value
   of botocore's model (AWS-DefaultPatchBaseline, AWS-AmazonLinux2DefaultPatchBaseline,
   AWS-UbuntuDefaultPatchBaseline, ...; ids are AWS's ARNs from moto's per-region table,
   arn:aws:ssm:REGION:AWS-ACCOUNT:patchbaseline/pb-...) plus
   AWS-WindowsPredefinedPatchBaseline-OS(-Applications), with approval rules as the user
   guide describes them (approximations). DescribePatchBaselines: OWNER (AWS/Self/All),
   NAME_PREFIX, OPERATING_SYSTEM filters, MaxResults/NextToken, DefaultBaseline tracks
   RegisterDefaultPatchBaseline. GetPatchBaseline takes the ARN (a bare pb- id of an
   AWS-owned baseline is DoesNotExistException, as documented); Update/Delete of them
   fail; GetDefaultPatchBaseline returns them. Custom ids are pb- + 17 hex chars.
4. DescribeMaintenanceWindowTasks includes Type and every MaintenanceWindowTask member
   that is set (TaskArn, Targets, TaskParameters, Priority, LoggingInfo, ServiceRoleArn,
   MaxConcurrency, MaxErrors, Name, Description, CutoffBehavior, AlarmConfiguration);
   DescribeMaintenanceWindowTargets returns OwnerInformation (moto always sent "") and
   supports its filters; DescribeMaintenanceWindows returns Enabled / NextExecutionTime
   and supports the Enabled filter; all three paginate (MaxResults 10-100, NextToken).
5. Validation (ValidationException): ScheduleTimezone must be an IANA zone
   (zoneinfo.available_timezones()), Schedule a cron(6 fields, one of day-of-month /
   day-of-week '?') or rate(N minute(s)|hour(s)|day(s)) expression, ScheduleOffset only
   with cron, Duration 1-24, Cutoff < Duration, EndDate after StartDate, RUN_COMMAND
   tasks need Targets, approval rules need exactly one of ApproveAfterDays /
   ApproveUntilDate; every request of the operations above is also checked against
   botocore's input shape (patterns, enums, lengths, ranges) with AWS's
   "N validation error(s) detected: ..." message.
6. ClientToken idempotency for CreateMaintenanceWindow, RegisterTargetWithMaintenanceWindow,
   RegisterTaskWithMaintenanceWindow and CreatePatchBaseline: the same token with the same
   request returns the first call's id and creates nothing; the same token with
   different parameters raises IdempotentParameterMismatch (listed by the model for all
   four). Tokens are remembered until reset (AWS expires them after a while).

Errors are JSON bodies with ``__type`` = the AWS code and HTTP 400.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

_TOOLS_DIR = str(Path(__file__).resolve().parent)
if _TOOLS_DIR not in sys.path:
    sys.path.insert(0, _TOOLS_DIR)

import local_ssm  # noqa: E402

local_ssm.install()


def build_server(host: str, port: int) -> BaseWSGIServer:
    app = DomainDispatcherApplication(create_backend_app)
    return make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    server = build_server(args.host, args.port)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(
        target=lambda: server.serve_forever(poll_interval=0.1), name="local_aws", daemon=True
    )
    thread.start()
    port: int = server.socket.getsockname()[1]
    print(f"local_aws listening on http://{args.host}:{port}", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
