"""Stand-ins for remote services, served locally for tests."""
