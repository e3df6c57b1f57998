"""One command over accounts x regions: the run protocol, in one place.

* ``protocol.py``: one target's run: plan, show, consent, lock, re-read and re-plan,
  pre-flight, execute, release; the request the cli hands over (``Request``).
* ``fanout.py``: the same request over every account x region, side by side.
* ``plans.py``: which plan a command makes (setup, cleanup), and the role boundary.
"""
