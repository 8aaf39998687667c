"""Speed benchmarks of the engine against simple peers (see README.md here)."""
