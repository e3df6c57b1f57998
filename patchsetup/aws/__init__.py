"""Talking to AWS: the session, accounts x regions, the reads, the lock, the call gate.

``session`` (credentials, region, endpoint URL, clients, retries), ``redact``
(URL secrets out of every message), ``errors`` (botocore's exceptions as one
line), ``accounts`` (the accounts x regions a run covers, and their clients),
``reader`` (one region's state) with ``read_windows``, ``read_baselines``,
``iam`` and ``listing``, ``service_quotas`` (the account's quotas), ``lock``
(one writer per setup and region) and ``gate`` (at most N calls in flight).
"""
