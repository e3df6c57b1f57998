#!/usr/bin/env python3
"""Drop-in for the replaced tool's script: ``./ssm_patching_setup.py -w 1 2``."""

from patchsetup.console import setup_main

if __name__ == "__main__":
    setup_main()
