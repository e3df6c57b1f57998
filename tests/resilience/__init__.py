"""Runs that meet faults: crashes, throttling, signals, locks, concurrent runs, soak."""
