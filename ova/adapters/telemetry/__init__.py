"""Metrics and counters the service reports (Prometheus, and shared counters across workers)."""
