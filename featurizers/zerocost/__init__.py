"""Zero-cost proxies computed on the real network of an architecture (PyTorch), and read from benchmarks."""
