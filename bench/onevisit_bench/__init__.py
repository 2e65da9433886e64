"""Benchmark-only code, kept out of the product package: the synthetic case generator and the floor
endpoint. Installed only by the benchmark's settings (bench/settings.py); no deployment loads it."""
