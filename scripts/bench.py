"""Benchmarks against TensorBoard's own histogram routes: not built yet (see the benchmark issue)."""

import sys

print("make bench: the benchmark suite is not built yet; see the 'Benchmarks and speed' issue.")
sys.exit(0)
