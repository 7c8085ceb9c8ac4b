"""OVA backend: an accessibility-minded assistant service."""

__version__ = "0.1.0"
