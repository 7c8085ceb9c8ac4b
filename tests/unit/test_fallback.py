"""The one fallback wrapper: built per port from its members, with the behaviours each port needs."""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Sequence
from typing import Protocol

import pytest

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.adapters.ai.fakes.sign import FakeSignRecognizer
from ova.adapters.ai.fakes.speech import FakeTextToSpeech
from ova.adapters.ai.fakes.vision import FakeObjectDetector
from ova.adapters.ai.fallback import Fallback, default_voice_when_unknown, fallback_class, port_members, with_fallback
from ova.adapters.ai.resilience import CircuitBreaker
from ova.application.ports.chat import ChatModel, ChatPrompt
from ova.application.ports.speech import TextToSpeech
from ova.application.ports.vision import ObjectDetector, SignRecognizer
from ova.bootstrap.capabilities import CAPABILITIES, Capability
from ova.domain.errors import Busy, InvalidInput, ModelUnavailable
from ova.domain.speech import Speech
from ova.domain.vision import Box, DetectedObject, RgbImage

IMAGE = RgbImage(width=4, height=4, pixels=b"\x80" * (4 * 4 * 3), source_format="PNG")
PROMPT = ChatPrompt(system="", history=(), message="hola")


class DownDetector:
    """A remote detector that is down (or refuses with ``error``), with a breaker."""

    model = "remote-detector"

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error or ModelUnavailable("down")
        self.breaker = CircuitBreaker("remote", failure_threshold=1, reset_after_s=1)
        self.calls = 0

    async def detect(self, image: RgbImage, *, min_confidence: float) -> list[DetectedObject]:
        self.calls += 1
        raise self.error


def detector_with_fallback(remote: ObjectDetector, local: ObjectDetector) -> ObjectDetector:
    return with_fallback(ObjectDetector, remote, local)


@pytest.mark.parametrize("capability", CAPABILITIES, ids=lambda c: c.name)
def test_each_port_gets_a_wrapper_with_every_member_of_the_port(capability: Capability) -> None:
    port = capability.port
    wrapper = fallback_class(port, capability.local_arguments)
    assert issubclass(wrapper, Fallback)
    for name, member in port_members(port).items():
        ours = getattr(wrapper, name)
        if inspect.iscoroutinefunction(member):
            assert inspect.iscoroutinefunction(ours)
        elif isinstance(member, property):
            assert isinstance(ours, property)
        else:
            assert inspect.isasyncgenfunction(ours)
    assert fallback_class(port, capability.local_arguments) is wrapper  # built once


async def test_a_call_the_remote_cannot_answer_goes_to_the_local_model() -> None:
    remote, local = DownDetector(), FakeObjectDetector([DetectedObject("local", 0.5, Box(0, 0, 1, 1))])
    detector = detector_with_fallback(remote, local)

    found = await detector.detect(IMAGE, min_confidence=0.3)

    assert [o.label for o in found] == ["local"] and remote.calls == 1 and local.calls == 1
    assert detector.model == "remote-detector"  # properties are the remote's
    assert isinstance(detector, Fallback) and detector.breaker is remote.breaker and detector.local is local


@pytest.mark.parametrize("error", [InvalidInput("bad", field="image"), Busy(2)])
async def test_errors_other_than_unavailable_are_not_hidden(error: Exception) -> None:
    local = FakeObjectDetector()
    detector = detector_with_fallback(DownDetector(error), local)
    with pytest.raises(type(error)):
        await detector.detect(IMAGE, min_confidence=0.3)
    assert local.calls == 0


async def test_the_remote_answers_when_it_can() -> None:
    remote, local = FakeSignRecognizer("B"), FakeSignRecognizer("C")
    sign: SignRecognizer = with_fallback(SignRecognizer, remote, local)
    assert (await sign.recognize(IMAGE)).letter == "B"
    assert sign.info == remote.info
    assert isinstance(sign, Fallback) and sign.breaker is None  # the remote has none


class DownSpeech:
    model = "remote-tts"
    voices = ("default", "af_heart")

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        raise ModelUnavailable("down")


@pytest.mark.parametrize(("voice", "local_voice"), [("default", None), ("af_heart", "af_heart"), (None, None)])
async def test_speech_falls_back_to_the_local_default_voice_when_the_voice_is_unknown_there(
    voice: str | None, local_voice: str | None,
) -> None:
    voices: list[str | None] = []

    class Local(FakeTextToSpeech):
        async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
            voices.append(voice)
            return await super().synthesize(text, voice=voice, language=language)

    remote: TextToSpeech = DownSpeech()
    tts = with_fallback(TextToSpeech, remote, Local(), local_arguments=default_voice_when_unknown)

    assert (await tts.synthesize("hola", voice=voice)).duration_s > 0
    assert voices == [local_voice] and tts.voices == ("default", "af_heart")


async def test_without_the_voice_rule_an_unknown_local_voice_is_refused() -> None:
    remote: TextToSpeech = DownSpeech()
    tts = with_fallback(TextToSpeech, remote, FakeTextToSpeech())
    with pytest.raises(InvalidInput):
        await tts.synthesize("hola", voice="default")


def chat_with_fallback(remote: ChatModel, local: ChatModel) -> ChatModel:
    return with_fallback(ChatModel, remote, local)


async def collect(chat: ChatModel) -> str:
    return "".join([piece async for piece in chat.stream(PROMPT)])


class BrokenAfter:
    """A remote chat that streams ``pieces`` then fails (``ModelUnavailable``), or is empty."""

    model = "remote-chat"

    def __init__(self, pieces: Sequence[str], *, fail: bool = True) -> None:
        self.pieces = pieces
        self.fail = fail
        self.closed = False

    async def stream(self, prompt: ChatPrompt) -> AsyncGenerator[str, None]:
        try:
            for piece in self.pieces:
                yield piece
            if self.fail:
                raise ModelUnavailable("cut")
        finally:
            self.closed = True


async def test_a_chat_stream_falls_back_before_the_first_remote_piece() -> None:
    remote, local = BrokenAfter([]), FakeChatModel()
    assert await collect(chat_with_fallback(remote, local)) == "Respuesta a: hola"
    assert remote.closed and list(local.prompts) == [PROMPT]


async def test_a_chat_stream_never_glues_a_second_answer_after_remote_pieces() -> None:
    remote, local = BrokenAfter(["medio ", "texto"]), FakeChatModel()
    received: list[str] = []

    async def read() -> None:
        async for piece in chat_with_fallback(remote, local).stream(PROMPT):
            received.append(piece)

    with pytest.raises(ModelUnavailable):
        await read()
    assert received == ["medio ", "texto"] and not local.prompts


async def test_an_empty_remote_answer_stays_empty() -> None:
    local = FakeChatModel()
    assert await collect(chat_with_fallback(BrokenAfter([], fail=False), local)) == ""
    assert not local.prompts


async def test_closing_the_stream_early_closes_the_remote_one() -> None:
    remote = BrokenAfter(["a", "b", "c"], fail=False)
    stream = chat_with_fallback(remote, FakeChatModel()).stream(PROMPT)
    assert await anext(stream) == "a"
    await stream.aclose()
    assert remote.closed


class Blocking(Protocol):
    def run(self) -> int: ...


class Clashing(Protocol):
    @property
    def local(self) -> str: ...


@pytest.mark.parametrize("port", [Blocking, Clashing])
def test_a_port_it_cannot_wrap_is_refused_when_the_wrapper_is_built(port: type) -> None:
    with pytest.raises(TypeError):
        fallback_class(port)


def test_the_port_members_are_what_the_protocol_declares() -> None:
    assert set(port_members(TextToSpeech)) == {"model", "voices", "synthesize"}
    assert set(port_members(SignRecognizer)) == {"info", "recognize"}
