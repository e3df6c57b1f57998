"""From the desired setup and what exists to the calls that converge them.

Pure, except the executor, which makes the calls.
"""
