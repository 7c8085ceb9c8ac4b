"""HTTP routes, grouped by what they serve. Each module exports ``ROUTES``."""
