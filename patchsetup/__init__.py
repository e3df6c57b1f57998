"""Set up AWS Systems Manager Patch Manager, and tear exactly that down again."""

__version__ = "0.1.0"
