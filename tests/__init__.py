"""The test suite of ssm-patching-setup (a package, so test modules import helpers by path)."""
