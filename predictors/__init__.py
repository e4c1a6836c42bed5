"""The predictor contract and every predictor, one module per family."""
