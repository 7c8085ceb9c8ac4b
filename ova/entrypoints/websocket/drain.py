"""What a chat connection says while the service shuts down (drains): the ``unavailable`` refusal of
a message it will not answer, and the mark that ends an answer cut off when the grace ran out.
"""

from __future__ import annotations

from ova.domain.language import Language

UNAVAILABLE = "El servicio se está reiniciando; vuelve a conectar."
CUT_OFF = " […] (respuesta interrumpida por un reinicio del servicio)"
"""Ends an answer stored as far as it had been written when the shutdown's grace ran out."""


CUT_OFF_IN: dict[Language, str] = {Language.ES: CUT_OFF, Language.EN: " […] (answer cut off by a service restart)"}
