"""One rule per field: the pattern or range AWS documents for a value, defined once.

The flags (``seed.py`` and the CLI's options), the config file (``config/``), the
model's own check (:meth:`patchsetup.model.Setup.validate`) and the role ARNs to
assume (``aws/accounts.py``) all check a value with the rule here, so a value one
of them takes is never refused by another. Each rule comes with the words that
describe it in messages; where it is checked decides how the message is framed.

No boto3 here: nothing but ``re`` and ``unicodedata``.
"""

from __future__ import annotations

import re
import unicodedata

# Limits from the SSM API reference (request shapes); checked before any write.
# \Z, not $: "$" also matches before a trailing newline, and "name\n" is no name.
NAME_RE = re.compile(r"\A[a-zA-Z0-9_\-.]{3,128}\Z")
#: What NAME_RE takes, for "<kind> name 'x' must be ..." messages.
NAME_RULE = "must be 3-128 letters, digits, '_', '-' or '.'"
SETUP_NAME_RE = re.compile(r"\A[a-zA-Z0-9_\-.]{1,64}\Z")
# IAM role names (CreateRole's RoleName) and role ARNs: one rule for every place that
# takes either (config, --role-arn, task and notification roles). re.ASCII: without it
# \w admits "ô", which IAM refuses, so a typo would pass here and fail mid-run.
ROLE_NAME_RE = re.compile(r"\A[\w+=,.@-]{1,64}\Z", re.ASCII)
#: What ROLE_NAME_RE takes, in words.
ROLE_NAME_RULE = "1-64 of ASCII letters, digits, +=,.@_-"
#: The account ID is group 1; the part after "role/" is the optional path and the name.
ROLE_ARN_RE = re.compile(r"\Aarn:aws[a-z-]*:iam::([0-9]{12}):role/[\w+=,.@/-]{1,512}\Z", re.ASCII)
#: What ROLE_ARN_RE takes, in words.
ROLE_ARN_RULE = "arn:aws:iam::123456789012:role/NAME, ASCII letters, digits and +=,.@_-/"
CONCURRENCY_RE = re.compile(r"\A(?:[1-9][0-9]{0,3}|(?:[1-9][0-9]?|100)%)\Z")
#: What CONCURRENCY_RE takes, in words.
CONCURRENCY_RULE = "a number 1-9999 or a percentage 1%-100%"
ERRORS_RE = re.compile(r"\A(?:[1-9][0-9]{0,3}|0|(?:100|[1-9]?[0-9])%)\Z")
#: What ERRORS_RE takes, in words.
ERRORS_RULE = "a number 0-9999 or a percentage 0%-100%"
#: A window's Duration and Cutoff, in hours (MaintenanceWindowDurationHours/CutoffHours).
DURATION_MIN, DURATION_MAX = 1, 24
CUTOFF_MIN, CUTOFF_MAX = 0, 23
#: AWS-RunPatchBaseline's Operation parameter.
OPERATIONS = ("Install", "Scan")
PATCH_GROUP_MAX = 256
#: --concurrency: calls in flight per target by default, chosen by measurement through the fault
#: proxy (50 ms; benchmarks/README.md). 16 is the fewest that make a fresh 8-window setup 7
#: requests in a row (its widest round: 8 targets beside 8 registrations; 8 lanes: 9), and 8
#: windows stay within the token-bucket model's burst (5/s, burst 10 per operation, account and
#: region) at 8, 16 or 32: no throttle. 40 windows under the buckets decide it: 18.7-19.4 s at 16
#: lanes, 14.7 at 24, 8.2-9.9 at 32 and 8.3 at 64 (1 and 4 regions; about 6 s by calls / rate),
#: with half the throttles at 32: at 16 every lane waits on one paced operation (the windows) while
#: the others' buckets idle. Without throttling 32 is also fewer rounds for 40 windows (11, 15 at
#: 16).
DEFAULT_CONCURRENCY = 32
#: The most --concurrency takes.
CONCURRENCY_MAX = 64
#: The tag key a target's patch group is matched on. "PatchGroup" is the key to use where
#: tags in instance metadata are turned on, because that feature does not allow spaces
#: in tag keys.
PATCH_GROUP_KEYS = ("Patch Group", "PatchGroup")


def other_key(key: str) -> str:
    """The patch-group tag key that is not ``key`` (one of PATCH_GROUP_KEYS): Patch
    Manager reads either, a window target selects on one."""
    return next(k for k in PATCH_GROUP_KEYS if k != key)


#: DescribeInstanceInformation's PlatformTypes, by the word assign's --platform takes.
PLATFORMS = {"linux": "Linux", "windows": "Windows", "macos": "MacOS"}
#: MaintenanceWindowTaskPriority has "min": 0 and no max in the API model; the field is
#: AWS's 32-bit Integer, so a larger number is refused by the service, after the window exists.
PRIORITY_MAX = 2**31 - 1
#: PatchGroup's pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (also TagKey's and TagValue's):
#: Unicode letters, separators (spaces) and numbers, and these punctuation marks.
_PATCH_GROUP_PUNCTUATION = frozenset("_.:/=+-@")


#: TargetKey's pattern ^[\p{L}\p{Z}\p{N}_.:/=\-@]*$ (1-163 characters): no "+" here.
_TARGET_KEY_PUNCTUATION = frozenset("_.:/=-@")
TARGET_KEY_MAX = 163
#: The keys TargetKey's pattern admits besides those of its character class.
_RESOURCE_GROUP_KEYS = frozenset({"resource-groups:ResourceTypeFilters", "resource-groups:Name"})


def setup_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a setup name (``--name``, ``name =``), or None."""
    if not SETUP_NAME_RE.match(name):
        return f"must be 1-64 letters, digits, '_', '-' or '.', got {name!r}"
    return None


def role_arn_problem(arn: str) -> str | None:
    """Why ``arn`` is no IAM role ARN, or None."""
    if not ROLE_ARN_RE.match(arn):
        return f"{arn!r} is not an IAM role ARN ({ROLE_ARN_RULE})"
    return None


def _unicode_class_problem(value: str, punctuation: frozenset[str]) -> str | None:
    """The first character outside [\\p{L}\\p{Z}\\p{N}<punctuation>], said in words.
    Python's re has no \\p{..}, so the categories come from unicodedata."""
    for char in value:
        if char not in punctuation and unicodedata.category(char)[0] not in "LZN":
            marks = "".join(sorted(punctuation))
            return f"{char!r} is not allowed: AWS takes letters, digits, spaces and {marks} only"
    return None


def patch_group_problem(group: str) -> str | None:
    """Why AWS would refuse ``group`` as a patch group (RegisterPatchBaselineForPatchGroup),
    or None."""
    if not 1 <= len(group) <= PATCH_GROUP_MAX:
        return f"must be 1-{PATCH_GROUP_MAX} characters"
    return _unicode_class_problem(group, _PATCH_GROUP_PUNCTUATION)


def target_key_problem(key: str) -> str | None:
    """Why AWS would refuse ``key`` (e.g. ``tag:Patch Group``) as a target's Key, or None."""
    if key in _RESOURCE_GROUP_KEYS:
        return None
    if not 1 <= len(key) <= TARGET_KEY_MAX:
        return f"must be 1-{TARGET_KEY_MAX} characters"
    return _unicode_class_problem(key, _TARGET_KEY_PUNCTUATION)
