"""Patch baselines: built-in presets, baseline-file validation and drift comparison.

* :mod:`~patchsetup.baselines.presets`: :func:`preset`, AWS's predefined
  rules per operating system as a ``CreatePatchBaseline`` request.
* :mod:`~patchsetup.baselines.validate`: :func:`load_baseline_file` and
  :func:`validate_rules`, a baseline file checked strictly, plus the rules
  the API reference states only in prose.
* :mod:`~patchsetup.baselines.shapes`: the check against botocore's SSM
  service model, and its ``OperatingSystem`` enum; the only module here that
  touches botocore, and only when called.
* :mod:`~patchsetup.baselines.compare`: :func:`canonical` and
  :func:`update_params`, pure, what the planner uses to detect and fix drift.
* :mod:`~patchsetup.baselines.messages`: :class:`BaselineError` and the
  wording of its one-line messages.
"""
