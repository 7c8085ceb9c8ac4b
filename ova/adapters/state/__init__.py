"""State several workers must agree on: revoked tokens, rate limits, counters (memory or Redis)."""

from ova.adapters.state.memory import MemorySharedState
from ova.adapters.state.redis import RedisSharedState

__all__ = ["MemorySharedState", "RedisSharedState"]
