"""One ownership rule, for setup and cleanup alike (pure: no boto3).

What a setup owns is what carries its tag (windows, baselines, the service role)
and, inside its windows, what it made there: patching tasks (the tool registers
nothing else, so this holds after a rename too) and the targets they use. Any
other task in its window is an operator's (a backup before patching, a health
check after it), and so is every target such a task uses: setup and cleanup both
leave them exactly as they are, and a window that must go but still holds one is
kept and reported instead of deleted with it.
"""

from __future__ import annotations

from patchsetup.deploy.remote import RemoteTask, RemoteWindow
from patchsetup.model import PATCHING_DOCUMENTS


def is_setup_task(task: RemoteTask) -> bool:
    """A task the tool would have made: it runs a patching document."""
    return task.fields.get("TaskArn") in PATCHING_DOCUMENTS


def foreign_tasks(window: RemoteWindow) -> list[RemoteTask]:
    """The tasks in ``window`` that are not the setup's."""
    return [t for t in window.tasks if not is_setup_task(t)]


def held_targets(window: RemoteWindow) -> set[str]:
    """Window target IDs that some foreign task uses: never deregistered."""
    return {
        value
        for task in foreign_tasks(window)
        for target in task.fields.get("Targets") or []
        if target.get("Key") == "WindowTargetIds"
        for value in target.get("Values") or []
    }


def task_label(task: RemoteTask) -> str:
    return str(task.fields.get("Name") or task.window_task_id)
