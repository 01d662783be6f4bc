"""`make bench` (run.py and its two workloads) and its tests."""
