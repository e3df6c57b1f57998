"""The real console scripts against the local endpoint, as an operator runs them."""
