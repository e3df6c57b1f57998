#!/usr/bin/env python3
"""Drop-in for the replaced tool's script: ``./ssm_patching_cleanup.py``."""

from patchsetup.console import cleanup_main

if __name__ == "__main__":
    cleanup_main()
