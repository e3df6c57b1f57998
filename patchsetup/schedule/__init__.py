"""Maintenance-window schedules: seed names, validation, next runs, warnings and descriptions.

Pure: nothing here talks to AWS. The rules are those of the AWS Systems Manager
reference "Cron and rate expressions for Systems Manager"
(https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html)
for maintenance-window schedules. The modules, lowest first:

* ``errors``: :class:`ScheduleError`, the one exception, and how messages name the expression.
* ``names``: day and month names, ordinals and list joining.
* ``compose``: the seed's window names, patch groups and cron expressions from week,
  day and hour; day and time-of-day values from flags and config.
* ``cron``: parsing and validating the fields of ``cron(...)``.
* ``occurrences``: the days and wall times a cron selects; the five-minute rule.
* ``expressions``: ``cron``/``rate``/``at`` parsed once (``parse``), ``validate_expression``.
* ``zones``: time-zone names, wall times as instants, clock changes, and what a
  window's StartDate/EndDate mean (``window_date``: no offset = the window's zone).
* ``runs``: the next runs of an expression (``next_runs``), with ScheduleOffset.
* ``warnings``: skipped months and daylight-saving gaps and overlaps.
* ``words``: a schedule in plain words (``describe``).
* ``window_runs``: the next runs of a window as GetMaintenanceWindow reports it
  (start and end dates, offset, Enabled): the one rule for ``apply`` and ``status``.
"""
