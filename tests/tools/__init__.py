"""Tests of tools/ (the local endpoint) and of the code's own hygiene (lint)."""
