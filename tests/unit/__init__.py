"""Tests of the package's pure parts: config, schedule, baselines, planner, export."""
