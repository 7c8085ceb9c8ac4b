"""In-memory adapters for unit tests. Each passes the same contract tests as its real adapter."""
