"""The fleet: managed nodes and the setup's patch groups they are in (pure)."""
