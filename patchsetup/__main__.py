"""``python -m patchsetup``: the same as ``ssm-patching-setup``."""

from patchsetup.console import setup_main

if __name__ == "__main__":
    setup_main()
