"""Invalid config files never reach AWS: each made from a valid one by one mutation (an
unknown key, a wrong type, a bad enum value, a bad schedule, a dangling reference, a
duplicate name, a quota overflow, a bad patch group, target key or priority).

The approach (a recording endpoint, in-process runs, no call allowed) is described in
tests/helpers/bad_input.py.
"""

from __future__ import annotations

import copy
import string
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from patchsetup import config
from patchsetup.schedule.compose import parse_day, parse_time
from tests.helpers.bad_input import (
    AWS_NAME,
    CONFIG_ENUMS,
    SETTINGS,
    SETUP_NAME,
    TEXT,
    Recorder,
    assert_bad_input,
    bad_enum,
    run_in_process,
    unknown_key,
    wrong_type,
)
from tests.helpers.setups import BASES, PathKey, at, nodes
from tests.helpers.toml import to_toml

# -- invalid config files: mutations of valid ones -------------------------------------------


def _time_is_bad(value: str) -> bool:
    try:
        parse_time(value)
    except Exception:
        return True
    return False


def _day_is_bad(value: Any) -> bool:
    try:
        parse_day(str(value))
    except Exception:
        return True
    return isinstance(value, bool)


BAD_SCHEDULES = st.one_of(
    st.sampled_from(
        [
            "",
            "cron(0 9 * * * *)",  # day-of-month and day-of-week both set
            "cron(0 9 ? * MON)",  # five fields
            "cron(60 9 ? * MON *)",
            "cron(0 24 ? * MON *)",
            "cron(0 9 32 * ? *)",
            "cron(0 9 ? * FUNDAY *)",
            "cron(0 9 ? * MON#6 *)",
            "rate(0 days)",
            "rate(-1 days)",
            "rate(7 fortnights)",
            "rate(7 days)\n",
            "cron()",
            "rate(99999999999999999999 days)",
            "rate(3651 days)",
            "rate(87601 hours)",
            "rate(5256001 minutes)",
        ]
    ),
    st.builds(
        "rate({} {})".format,
        st.integers(5256001, 10**40),
        st.sampled_from(["minutes", "hours", "days"]),
    ),
    TEXT.filter(lambda s: not s.strip().lower().startswith(("cron(", "rate(", "at("))),
)


@st.composite
def bad_schedule(draw: st.DrawFn, base: Any) -> Any:
    data = copy.deepcopy(base)
    window = draw(st.sampled_from(sorted(data["windows"])))
    table = data["windows"][window]
    if "schedule" in table:
        table["schedule"] = draw(BAD_SCHEDULES)
        return data
    key = draw(st.sampled_from(["week", "day", "time"]))
    if key == "week":
        table["week"] = draw(
            st.one_of(
                st.integers(-5, 50).filter(lambda n: not 1 <= n <= 5),
                TEXT.filter(lambda s: s != "last"),
            )
        )
    elif key == "day":
        table["day"] = draw(st.one_of(st.integers(-5, 50), TEXT, st.booleans()).filter(_day_is_bad))
    else:
        table["time"] = draw(TEXT.filter(_time_is_bad))
    return data


def _windows_with(data: Any, key: str) -> list[str]:
    return sorted(name for name, table in data["windows"].items() if table.get(key))


@st.composite
def dangling(draw: st.DrawFn, base: Any) -> Any:
    """A reference to nothing: an unknown target, a role "create" with no [service_role],
    a baseline file that does not exist."""
    data = copy.deepcopy(base)
    choices = ["target"]
    if "service_role" in data and any(v == "create" for _, v in nodes(data)):
        choices.append("role")
    if data.get("baselines"):
        choices.append("file")
    match draw(st.sampled_from(choices)):
        case "target":
            window = draw(st.sampled_from(_windows_with(data, "tasks")))
            task = draw(st.sampled_from(data["windows"][window]["tasks"]))
            window_targets = data["windows"][window].get("targets", [])
            named = task.get("targets") or [t["name"] for t in window_targets]
            task["targets"] = [*named, "no-such-target"]
        case "role":
            del data["service_role"]
        case _:
            key = draw(st.sampled_from(sorted(data["baselines"])))
            data["baselines"][key] = {"file": "no-such-baseline.json"}
    return data


@st.composite
def duplicate(draw: st.DrawFn, base: Any) -> Any:
    """Two windows, targets, tasks or baselines of one name; one patch group twice per OS."""
    data = copy.deepcopy(base)
    windows = data["windows"]
    kinds = ["target", "task"]
    if len(windows) > 1:
        kinds.append("window")
    if len(data.get("baselines", {})) > 1:
        kinds.append("baseline")
    if any(b.get("patch_groups") for b in data.get("baselines", {}).values()):
        kinds.append("patch group")
    kind = draw(st.sampled_from(kinds))
    if kind == "window":
        first, second = draw(st.permutations(sorted(windows)))[:2]
        windows[second]["name"] = windows[first].get("name", first)
    elif kind in ("target", "task"):
        window = draw(st.sampled_from(_windows_with(data, kind + "s")))
        items = windows[window][kind + "s"]
        items.append(copy.deepcopy(draw(st.sampled_from(items))))
    elif kind == "baseline":
        first, second = draw(st.permutations(sorted(data["baselines"])))[:2]
        other = data["baselines"][first].get("name", f"{data.get('name', 'default')}-{first}")
        data["baselines"][second]["name"] = other
    else:
        key = draw(
            st.sampled_from(
                sorted(k for k, b in data["baselines"].items() if b.get("patch_groups"))
            )
        )
        twin = copy.deepcopy(data["baselines"][key])
        twin["name"] = "twin-baseline"
        data["baselines"][key + "-twin"] = twin
    return data


BAD_RESOURCE_NAMES = st.one_of(
    TEXT.filter(lambda n: n != "" and not AWS_NAME.fullmatch(n)),
    st.sampled_from(["ab", "x" * 129, "has space", "tab\tname", "trailing-newline\n", "dé-jà"]),
)


@st.composite
def bad_name(draw: st.DrawFn, base: Any) -> Any:
    """A setup, window, target, task or baseline name SSM's pattern does not allow."""
    data = copy.deepcopy(base)
    named = [p for p, v in nodes(data) if isinstance(v, dict) and len(p) >= 2]
    named = [p for p in named if p[0] in ("windows", "baselines") and _names_a_resource(p)]
    path = draw(st.sampled_from([(), *named]))
    if path == ():
        data["name"] = draw(
            st.one_of(
                TEXT.filter(lambda n: n != "" and not SETUP_NAME.fullmatch(n)),
                st.sampled_from(["x" * 65, "has space", "default\n", "a/b"]),
            )
        )
    else:
        at(data, path)["name"] = draw(BAD_RESOURCE_NAMES)
    return data


def _names_a_resource(path: PathKey) -> bool:
    """windows.<w>, windows.<w>.targets[i], windows.<w>.tasks[i], baselines.<b>."""
    if len(path) == 2:
        return True
    return len(path) == 4 and path[2] in ("targets", "tasks") and isinstance(path[3], int)


@st.composite
def over_quota(draw: st.DrawFn, base: Any) -> Any:
    """One count past AWS's default quota (patchsetup/quotas.py has the numbers)."""
    data = copy.deepcopy(base)
    windows = data["windows"]
    window = draw(st.sampled_from(_windows_with(data, "tasks")))
    table = windows[window]
    kind = draw(
        st.sampled_from(["windows", "tasks", "targets", "task targets", "groups", "baselines"])
    )
    extra = draw(st.integers(1, 5))
    if kind == "windows":
        for n in range(51 - len(windows) + extra):
            clone = copy.deepcopy(table)
            clone["name"] = f"clone-{n:03d}"
            windows[f"clone-{n:03d}"] = clone
    elif kind == "tasks":
        task = table["tasks"][0]
        table["tasks"] = [
            {**copy.deepcopy(task), "name": f"task-{n:03d}"} for n in range(20 + extra)
        ]
    elif kind in ("targets", "task targets"):
        count = 100 + extra if kind == "targets" else 10 + extra
        targets = [{"name": f"target-{n:03d}", "patch_group": f"group-{n}"} for n in range(count)]
        table["targets"] = targets
        for task in table["tasks"]:
            task["targets"] = [t["name"] for t in targets][: 10 if kind == "targets" else count]
    elif kind == "groups":
        baselines_ = data.setdefault("baselines", {})
        baselines_["crowded"] = {
            "operating_system": "UBUNTU",
            "patch_groups": [f"crowd-{n}" for n in range(25 + extra)],
        }
    else:
        baselines_ = data.setdefault("baselines", {})
        for n in range(51 + extra):
            baselines_[f"extra-{n:03d}"] = {"operating_system": "WINDOWS"}
    return data


#: A character PatchGroup's pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ does not allow.
BAD_GROUP_CHARS = st.characters(codec="utf-8").filter(
    lambda c: c not in "_.:/=+-@" and unicodedata.category(c)[0] not in "LZN"
)
BAD_PATCH_GROUPS = st.one_of(
    st.sampled_from(["a,b", "*", ";", "\U0001f600", "x#y", "a\nb", "(prod)", "50%"]),
    st.builds(
        "{}{}{}".format,
        st.text(alphabet=string.ascii_letters + " -", max_size=6),
        BAD_GROUP_CHARS,
        st.text(alphabet=string.ascii_letters + string.digits, max_size=6),
    ),
)


@st.composite
def bad_patch_group(draw: st.DrawFn, base: Any) -> Any:
    """A patch group outside AWS's pattern in some baseline (or in a new one)."""
    data = copy.deepcopy(base)
    baselines_ = data.setdefault("baselines", {})
    choices = [*sorted(k for k, b in baselines_.items() if "patch_groups" in b), "zz-new"]
    key = draw(st.sampled_from(choices))
    group = draw(BAD_PATCH_GROUPS)
    if key == "zz-new":
        baselines_[key] = {"operating_system": "UBUNTU", "patch_groups": [group]}
    else:
        groups = list(baselines_[key]["patch_groups"])
        groups.insert(draw(st.integers(0, len(groups))), group)
        baselines_[key]["patch_groups"] = groups
    return data


BAD_TARGET_KEYS = st.one_of(
    st.sampled_from(["a,b", "a+b", "\U0001f600", "env;prod", "50%", "key*"]),
    st.builds(
        "{}{}{}".format,
        st.text(alphabet=string.ascii_letters + " -", max_size=6),
        st.one_of(BAD_GROUP_CHARS, st.just("+")),
        st.text(alphabet=string.ascii_letters + string.digits, max_size=6),
    ),
)


@st.composite
def bad_target_key(draw: st.DrawFn, base: Any) -> Any:
    """A target selecting by a tag key outside TargetKey's pattern (no "+" either)."""
    data = copy.deepcopy(base)
    window = draw(st.sampled_from(_windows_with(data, "targets")))
    targets = data["windows"][window]["targets"]
    index = draw(st.integers(0, len(targets) - 1))
    kept = {k: v for k, v in targets[index].items() if k in ("name", "description")}
    targets[index] = {**kept, "tags": {draw(BAD_TARGET_KEYS): ["x"]}}
    return data


@st.composite
def bad_priority(draw: st.DrawFn, base: Any) -> Any:
    """A task priority outside 0..2^31-1 (AWS's Integer); 2^63 once passed."""
    data = copy.deepcopy(base)
    window = draw(st.sampled_from(_windows_with(data, "tasks")))
    task = draw(st.sampled_from(data["windows"][window]["tasks"]))
    task["priority"] = draw(
        st.one_of(
            st.integers(2**31, 2**70), st.integers(-(2**70), -1), st.just(9223372036854775808)
        )
    )
    return data


def _mutated(mutate: Callable[[Any], st.SearchStrategy[Any]]) -> st.SearchStrategy[tuple[str, Any]]:
    return st.sampled_from(sorted(BASES)).flatmap(
        lambda name: mutate(BASES[name]).map(lambda data: (name, data))
    )


CONFIG_CATEGORIES: dict[str, Callable[[Any], st.SearchStrategy[Any]]] = {
    "unknown key": unknown_key,
    "wrong type": wrong_type,
    "bad enum": lambda base: bad_enum(base, CONFIG_ENUMS),
    "bad schedule": bad_schedule,
    "dangling reference": dangling,
    "duplicate name": duplicate,
    "over quota": over_quota,
    "bad name": bad_name,
    "bad patch group": bad_patch_group,
    "bad priority": bad_priority,
    "bad target key": bad_target_key,
}


@pytest.mark.parametrize("category", sorted(CONFIG_CATEGORIES))
@SETTINGS
@given(data=st.data(), command=st.sampled_from(["apply", "apply", "cleanup", "status", "export"]))
def test_invalid_configs(
    recorder: Recorder, workdir: Path, category: str, data: st.DataObject, command: str
) -> None:
    base, mutated = data.draw(_mutated(CONFIG_CATEGORIES[category]), label=category)
    assume(mutated != BASES[base])
    path = workdir / "patching.toml"
    path.write_text(to_toml(mutated), encoding="utf-8")
    args = ["--config", str(path)]
    if command == "cleanup":
        outcome = run_in_process(recorder, args, "cleanup")
    else:  # apply, and the read-only commands that take a config
        args = [command, *args]
        outcome = run_in_process(recorder, args)
    assert_bad_input(outcome, [category, base, *args])


def test_toml_writer_round_trips_every_base_and_the_bases_are_valid(
    recorder: Recorder, workdir: Path
) -> None:
    """The mutations start from valid configs, written by a writer that loses nothing."""
    for name, data in BASES.items():
        assert tomllib.loads(to_toml(data)) == data, name
        path = workdir / f"valid-{name}"
        path.write_text(to_toml(data), encoding="utf-8")
        config.load_config(path)  # raises ConfigError if the base were invalid
    odd = {"s": 'tab\t nl\n quote" back\\ del\x7f é 😀', "n": [1, 2.5, True], "t": {"a b": {}}}
    assert tomllib.loads(to_toml(odd)) == odd
