"""pytest plugins of the suite, registered by tests/conftest.py."""
