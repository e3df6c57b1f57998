"""From the desired setup and what exists to the calls that converge them.

Pure, except the executor, which makes the calls (and loads botocore only then).

- ``remote``: what exists (filled in by ``patchsetup.aws.reader``).
- ``plan``: the plan as data (changes, calls, Refs, phases and lanes).
- ``planner``: ``plan()``, composing one module per resource kind:
  ``service_role``, ``patch_baselines`` (baselines, patch groups, the default
  baseline), ``maintenance_windows``, ``window_targets`` and ``window_tasks``,
  on a ``draft`` (the plan under construction).
- ``calls``: one constructor per write action; ``diff``: field comparison.
- ``ownership`` and ``adoption``: what is the setup's, and what it may take over.
- ``sweeper``: cleanup as a plan; ``order``: what each change waits for (a DAG);
  ``executor``: runs a plan.
"""
