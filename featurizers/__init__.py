"""Encodings of architectures and learning curves (scikit-learn transformers); zero-cost proxies."""
