"""Configuration: read once from the environment or ``.env``, validated, frozen."""

from ova.config.loader import ConfigError, load_settings
from ova.config.settings import Settings

__all__ = ["ConfigError", "Settings", "load_settings"]
