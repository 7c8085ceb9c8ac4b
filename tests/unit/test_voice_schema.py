"""``/audio/sintetizar``'s ``voice`` is published as the enum of the configured engine's voices, and
the server accepts exactly those (issue 12, item 10): an engine that would ignore an unknown voice
(Hugging Face) does not get it either."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from starlette.testclient import TestClient

from ova.adapters.ai.fakes.speech import FakeTextToSpeech
from ova.application.speech.use_cases import SpeechRequest, SynthesizeSpeech
from ova.config.settings import AiSettings, Provider
from ova.domain.errors import InvalidInput
from ova.domain.speech import Speech
from ova.entrypoints.app import create_app
from tests.fakes.clock import FakeClock
from tests.unit.world import unit_container, unit_settings


def voice_schema(document: dict[str, Any]) -> dict[str, Any]:
    return dict(document["components"]["schemas"]["SpeechRequest"]["properties"]["voice"])


@pytest.mark.parametrize(("provider", "voices"), [(Provider.FAKE, ["af_heart"]),
                                                  (Provider.HUGGINGFACE, ["default"])])
def test_the_published_voice_is_an_enum_of_the_configured_engines_voices(provider: Provider,
                                                                          voices: list[str]) -> None:
    settings = attrs.evolve(unit_settings(), ai=AiSettings(tts_provider=provider))
    app = create_app(settings, unit_container(settings, FakeClock()))

    document = TestClient(app).get("/openapi.json").json()  # no lifespan: the document needs none

    schema = voice_schema(document)
    assert {"type": "string", "enum": voices} in schema["anyOf"]
    assert {"type": "null"} in schema["anyOf"]
    assert all(branch.get("enum") == voices for branch in schema["anyOf"] if branch.get("type") == "string")


class IgnoringTextToSpeech(FakeTextToSpeech):
    """Like Hugging Face's engine: one listed voice, and whatever voice it is given is ignored."""

    voices = ("default",)

    def __init__(self) -> None:
        super().__init__()
        self.spoken: list[str] = []

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        self.spoken.append(text)
        return await super().synthesize(text, voice=None)


async def test_a_voice_outside_the_enum_is_refused_even_by_an_engine_that_would_ignore_it() -> None:
    tts = IgnoringTextToSpeech()
    synthesize = SynthesizeSpeech(tts)

    with pytest.raises(InvalidInput) as refused:
        await synthesize(SpeechRequest("Hello.", voice="af_heart"))

    assert refused.value.field == "voice"
    assert tts.spoken == []
    assert (await synthesize(SpeechRequest("Hello.", voice="default"))).wav
    assert (await synthesize(SpeechRequest("Hello."))).wav
    assert synthesize.voices == ("default",)
