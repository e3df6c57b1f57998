"""One command over accounts x regions: the run protocol, in one place.

* ``protocol.py``: one target's run: plan, show, consent, lock, re-read and re-plan,
  pre-flight, execute, release.
* ``request.py``: what the cli hands over (``Common``, ``Request``): plain data, no boto3,
  so that the commands that make no AWS call never load the protocol or the SDK.
* ``fanout.py``: the same request over every account x region, side by side.
* ``plans.py``: which plan a command makes (setup, cleanup), and the role boundary.
"""
