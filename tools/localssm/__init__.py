"""The SSM part of the local AWS stand-in (tools/local_aws.py): moto's gaps filled.

resources.py (models and per-backend state), validation.py (request checks),
windows.py and baselines.py (one resource kind's story each), handlers.py (dispatch and
``install()``), predefined.py (AWS-owned baselines), cron.py (schedules and next runs),
fleet.py (managed nodes), compliance.py (patch states, window executions) and
localapi.py (the ``/local-api/`` seeding routes).
"""
