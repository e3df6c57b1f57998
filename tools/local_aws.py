"""Local AWS stand-in for the tests: moto's server (all services, incl. SSM, IAM, STS).

Usage: ``python tools/local_aws.py --port N [--host 127.0.0.1] [--verbose] [--record FILE]``
(``--port 0`` picks a free port; ``--verbose`` logs each request to stderr). When it
accepts connections it prints exactly one line, ``local_aws listening on
http://HOST:PORT``, and serves until SIGTERM/SIGINT (exit status 0). moto's
``POST /moto-api/reset`` keeps working (the extra SSM state below is reset with it).

``--record FILE`` (or the environment variable ``LOCAL_AWS_RECORD``) appends one JSON
line per AWS request to FILE, before the request is served (so failed calls count
too): ``{"service": "ssm", "operation": "CreateMaintenanceWindow", "tool": true}``.
``service`` is the signing name from the Authorization header's credential scope
(``Credential=AKID/DATE/REGION/SERVICE/aws4_request``); ``operation`` is the
``X-Amz-Target`` header's part after the dot (JSON protocol: SSM) or the ``Action``
parameter of the form body or query string (query protocol: IAM, STS), both as
tools/awsrequest.py reads them (the fault proxy names requests the same way); ``tool`` is
whether the User-Agent contains ``ssm-patching-setup/``, the user_agent_extra every
client of the tool sets. Requests to ``/moto-api`` are not recorded, nor requests whose
body ends before its Content-Length (the client went away; answered 400). Each line is one
``write()`` on an ``O_APPEND`` descriptor, under a lock, so concurrent requests and
several servers sharing one FILE never interleave lines. The tests use the records to
prove least privilege: iam/ssm-patching-setup-operator-policy.json grants exactly
what the tool calls (tests/plugins/least_privilege.py, tests/cli/test_policy_workload.py).

Importing this module patches moto 5.2.5's SSM backend/response classes (the package
tools/localssm/: resources, validation, windows, baselines, fleet, handlers, predefined
data and a cron oracle of its own) and serves, in front of moto, the stand-in's own
seeding API ``/local-api/`` (tools/localssm/localapi.py; gap 8). Gaps filled, each
following the SSM API reference and botocore's SSM model:

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
   Deregister wrong) and a 26th patch group on one baseline (ResourceLimitExceededException,
   AWS's default quota of 25); DeregisterPatchBaselineForPatchGroup really removes the
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
7. Defaults AWS fills in that a request never sent, as AWS's published CLI examples
   show them (aws-cli awscli/examples/ssm/get-maintenance-window-task.rst,
   describe-maintenance-window-tasks.rst, get-patch-baseline.rst): every task reports
   ``TaskParameters: {}`` (Get and Describe) and, in
   TaskInvocationParameters.RunCommand, ``Comment: ""`` and ``TimeoutSeconds: 600``
   (again after an update replaces RunCommand); baselines report
   ApprovedPatchesComplianceLevel UNSPECIFIED, ApprovedPatchesEnableNonSecurity false,
   RejectedPatchesAction ALLOW_AS_DEPENDENCY, empty lists and filters, and each rule
   ComplianceLevel UNSPECIFIED / EnableNonSecurity false; a custom WINDOWS baseline
   reports AvailableSecurityUpdatesComplianceStatus COMPLIANT when none was sent (AWS
   documents no value: an approximation); windows report Enabled true. The stand-in
   can only approximate AWS here: ``tools/smoke_check.py`` against a sandbox account
   reports what real AWS fills in. Not filled in: the document's own parameter
   defaults inside RunCommand.Parameters (the published example shows some, but
   whether AWS adds them or the example's caller sent them is not documented).
8. Managed nodes (tools/localssm/fleet.py): moto has none. Seeded through the stand-in's
   own API (not AWS's; like ``/moto-api``, never recorded, never faulted):
   ``POST /local-api/managed-nodes`` with ``{"account", "region", "nodes": [{"InstanceId":
   "i-..." | null, "PlatformType": Linux|Windows|MacOS, "PlatformName", "PlatformVersion",
   "PingStatus": Online|ConnectionLost|Inactive, "Name", "Tags": [{"Key", "Value"}]}]}``
   -> ``{"InstanceIds": [...]}`` (optional per node: AgentVersion, IsLatestVersion,
   IamRole, AssociationStatus, IPAddress, ComputerName; HTTP 400 ``{"error"}`` for a bad
   request, which then stores nothing). With an InstanceId it registers a moto EC2
   instance of that account and region (ResourceType EC2Instance; PlatformType defaults
   from EC2's Platform; its tags are EC2's own, read live, so ec2:CreateTags / DeleteTags
   move it between patch groups; stopped or terminated instances are not listed, as
   documented); without one it makes a hybrid node ``mi-`` + 17 hex (ResourceType
   ManagedInstance, with ActivationId, RegistrationDate, IamRole ``SSMServiceRole``)
   whose tags live in SSM: AddTagsToResource / ListTagsForResource /
   RemoveTagsFromResource with ResourceType=ManagedInstance (an EC2 or unknown id gives
   InvalidResourceId; more than 50 tags TooManyTagsError). moto's reset clears them.
   DescribeInstanceInformation returns the InstanceInformation members the reference
   lists (SourceId / SourceType too), for that account and region only, with
   ``Filters`` (InstanceIds, AgentVersion, PingStatus, PlatformTypes, ActivationIds,
   IamRole, ResourceType, AssociationStatus, SourceIds, SourceTypes, ``tag-key``,
   ``tag:KEY``, KEY may hold spaces; values ORed, filters ANDed, exact matches) or the
   legacy ``InstanceInformationFilterList`` (no tag keys). Errors: an unknown key
   InvalidFilterKey; a value outside its enum InvalidInstanceInformationFilterValue; an
   id not of the form ``i-``/``mi-`` InvalidInstanceId, as is, with the legacy list, an id
   that is no managed node here (``Filters`` just lists nothing for it); both lists at
   once, or tag filters mixed with other filters (the reference: "can't be combined"),
   ValidationException; MaxResults 5-50 (ValidationException), a bad NextToken
   InvalidNextToken. Approximations where the reference is silent: the default page size
   (10 here), the error codes for both lists / mixed filters, the fields' default values
   (agent 3.3.1142.0, platform names), and that tag changes apply at once (AWS's
   inventory catches up with a tag change after a while). EC2's DescribeTags filters
   key / resource-id / resource-type / value work in moto 5.2.5 as they are (tested).
9. Patch compliance and window executions (tools/localssm/compliance.py): moto has
   neither. Seeded through the local API: ``POST /local-api/patch-states`` with
   ``{"account", "region", "states": [{"InstanceId", "PatchGroup", "BaselineId", the
   InstancePatchState counts (InstalledCount ... OtherNonCompliantCount,
   AvailableSecurityUpdateCount), "Operation": Scan|Install, "OperationStartTime",
   "OperationEndTime", "RebootOption"}]}`` -> ``{"InstanceIds"}``: the node must be a
   managed node of that account and region; its new state replaces the old one (as a
   new scan does); PatchGroup defaults to the node's ``Patch Group`` / ``PatchGroup`` tag
   at seeding time (none: HTTP 400), BaselineId to the baseline registered for that group
   and the node's operating system (from its platform) or else the OS's default,
   Operation to Install, counts to 0, times to now (ISO 8601 or epoch seconds).
   ``POST /local-api/window-executions`` with ``{"account", "region", "executions":
   [{"WindowId", "Status", "StatusDetails", "StartTime", "EndTime"}]}`` ->
   ``{"WindowExecutionIds"}`` (the window must exist; Status defaults to SUCCESS,
   StartTime to now, EndTime to StartTime unless PENDING / IN_PROGRESS / CANCELLING).
   DescribeInstancePatchStates (InstanceIds 0-50; ids without a state are left out),
   DescribeInstancePatchStatesForPatchGroup (Filters on the eight documented count keys
   with Equal / NotEqual / LessThan / GreaterThan and one integer >= 0, else
   InvalidFilter; botocore's InstancePatchStatesList holds 1-5 items, so a page holds at
   most 5 whatever MaxResults (10-100) says and an empty result leaves the member out),
   DescribePatchGroupState (counts of INSTANCES of the group whose count is > 0, as the
   reference says), DescribeMaintenanceWindowExecutions (newest StartTime first;
   ExecutedBefore / ExecutedAfter compare StartTime with an ISO 8601 value, any other
   key ValidationException; an unknown window lists nothing, as the model lists no
   not-found error). Paging: MaxResults 10-100 (default 50, undocumented), a bad
   NextToken InvalidNextToken (ValidationException for window executions, whose model
   lists no InvalidNextToken). A tag change does not move a node's reported state:
   the next seeded scan does, as on AWS where a state changes with the next scan.

Errors are JSON bodies with ``__type`` = the AWS code and HTTP 400.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

_TOOLS_DIR = str(Path(__file__).resolve().parent)
if _TOOLS_DIR not in sys.path:
    sys.path.insert(0, _TOOLS_DIR)

from awsrequest import is_moto_api, parse_request  # noqa: E402
from localssm import handlers  # noqa: E402
from localssm.localapi import LocalApi  # noqa: E402
from serving import serve_until_signal  # noqa: E402

handlers.install()


#: The User-Agent marker of the tool's clients (botocore user_agent_extra).
TOOL_AGENT = "ssm-patching-setup/"

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


def describe_request(environ: dict[str, Any], body: bytes) -> dict[str, Any] | None:
    """``{"service", "operation", "tool"}`` of one AWS request; None for moto's own API."""
    if is_moto_api(str(environ.get("PATH_INFO", ""))):
        return None
    request = parse_request(
        authorization=str(environ.get("HTTP_AUTHORIZATION", "")),
        target=str(environ.get("HTTP_X_AMZ_TARGET", "")),
        query=str(environ.get("QUERY_STRING", "")),
        content_type=str(environ.get("CONTENT_TYPE", "")),
        body=body,
    )
    return {
        "service": request.service,
        "operation": request.operation,
        "tool": TOOL_AGENT in str(environ.get("HTTP_USER_AGENT", "")),
    }


class OperationRecorder:
    """WSGI middleware: appends one JSON line per AWS request to ``path``, then serves it."""

    def __init__(self, app: WsgiApp, path: Path) -> None:
        self.app = app
        self.path = path
        self._lock = threading.Lock()
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = b""
        length = str(environ.get("CONTENT_LENGTH") or "")
        if length.isdigit() and int(length) > 0:
            body = environ["wsgi.input"].read(int(length))
            if len(body) < int(length):
                # The client went away half way through its request (killed, or a proxy
                # stopped): never act on, or record, the part that arrived.
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [b"incomplete request body"]
            environ["wsgi.input"] = io.BytesIO(body)
        record = describe_request(environ, body)
        if record is not None:
            self.write(record)
        return self.app(environ, start_response)

    def write(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, sort_keys=True) + "\n").encode()
        with self._lock:
            os.write(self._fd, line)

    def close(self) -> None:
        with self._lock:
            os.close(self._fd)


def build_server(host: str, port: int, record: Path | None = None) -> BaseWSGIServer:
    app: WsgiApp = DomainDispatcherApplication(create_backend_app)
    if record is not None:
        app = OperationRecorder(app, record)
    app = LocalApi(app)  # outside the recorder: seeding requests are no AWS requests
    return make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        default=os.environ.get("LOCAL_AWS_RECORD") or None,
        help="append one JSON line per AWS request to FILE (env: LOCAL_AWS_RECORD)",
    )
    args = parser.parse_args(argv)
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    server = build_server(args.host, args.port, args.record)
    port: int = server.socket.getsockname()[1]

    def close_record() -> None:
        recorder = getattr(server.app, "app", None)
        if isinstance(recorder, OperationRecorder):
            recorder.close()

    serve_until_signal(
        server,
        "local_aws",
        f"local_aws listening on http://{args.host}:{port}",
        after_shutdown=close_record,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
