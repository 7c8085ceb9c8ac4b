"""One local text-to-speech made of one engine per language (Kokoro for Spanish, hibari for English...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from ova.adapters.ai.local.speech import check_language, check_voice
from ova.domain.speech import Speech


class LocalVoice(Protocol):
    """A local engine: a ``TextToSpeech`` that loads (``LocalModel``)."""

    @property
    def model(self) -> str: ...

    @property
    def voices(self) -> tuple[str, ...]: ...

    @property
    def loaded(self) -> bool: ...

    def load(self) -> None: ...

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech: ...


class ByLanguage:
    """``engines``: language → engine (one engine may serve several). Without a ``voice`` the
    language's engine speaks with its default voice; a ``voice`` picks the engine that has it (the
    caller asked for that voice by name), whatever the language."""

    def __init__(self, engines: Mapping[str, LocalVoice]) -> None:
        self._engines = dict(engines)
        self._distinct = list({id(engine): engine for engine in self._engines.values()}.values())

    @property
    def engines(self) -> Mapping[str, LocalVoice]:
        """Language → the engine that speaks it without a ``voice``."""
        return dict(self._engines)

    @property
    def model(self) -> str:
        if len(self._distinct) == 1:
            return self._distinct[0].model
        return " + ".join(f"{engine.model} [{self._languages_of(engine)}]" for engine in self._distinct)

    @property
    def voices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(voice for engine in self._distinct for voice in engine.voices))

    @property
    def loaded(self) -> bool:
        return all(engine.loaded for engine in self._distinct)

    def load(self) -> None:
        for engine in self._distinct:
            engine.load()

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        check_voice(voice, self.voices)
        check_language(language)
        engine = self._engines.get(language, self._distinct[0])
        if voice is not None and voice not in engine.voices:
            engine = next(engine for engine in self._distinct if voice in engine.voices)
        return await engine.synthesize(text, voice=voice, language=language)

    def _languages_of(self, engine: LocalVoice) -> str:
        return ", ".join(language for language, each in self._engines.items() if each is engine)
