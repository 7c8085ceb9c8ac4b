"""Every configuration variable: where it goes, how it is parsed, and what it means; one module per
settings group, in the order ``ova config check`` lists them."""

from ova.config.variables import ai, auth, chat, database, general, http
from ova.config.variables.ai import AI_PROVIDERS
from ova.config.variables.variable import Variable

VARIABLES: tuple[Variable, ...] = (
    *general.VARIABLES, *http.VARIABLES, *database.VARIABLES, *auth.VARIABLES, *ai.VARIABLES, *chat.VARIABLES,
)

__all__ = ["AI_PROVIDERS", "VARIABLES", "Variable"]
