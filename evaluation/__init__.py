"""Budgets, oracles, experiments, metrics, reports and executors."""
