"""A chat connection's worker on ova's fakes, without a socket: the frames it sends for each kind of
message, its queue and ``busy`` count, cancel, shutdown and a client gone. (The e2e tests drive the
same through a real server; these pin down the worker's part on its own.)"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest
import structlog
from prometheus_client import CollectorRegistry
from starlette.websockets import WebSocketDisconnect

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.adapters.ai.fakes.speech import FakeSpeechToText, FakeTextToSpeech
from ova.adapters.ai.fakes.text_reading import FakeTextReader
from ova.adapters.ai.fakes.vision import FakeImageCaptioner, FakeObjectDetector
from ova.adapters.security.jwt_codec import JoseTokenCodec
from ova.adapters.state.memory import MemorySharedState
from ova.adapters.telemetry.chat_telemetry import ChatTelemetry
from ova.application.accounts.account_cache import AccountCache
from ova.application.accounts.authenticate import Authenticate
from ova.application.chat.conversation import ChatPolicy, Converse
from ova.application.chat.photo import PhotoChat
from ova.application.chat.voice import VoiceChat
from ova.application.speech.sentences import SpeakSentences
from ova.application.speech.use_cases import SynthesizeSpeech, TranscribeAudio
from ova.application.vision.analyze import AnalyzeImage
from ova.bootstrap.chat import ChatServices
from ova.config.settings import ChatSettings
from ova.domain.errors import ModelUnavailable, UnreadableMedia
from ova.domain.speech import Speech, SpeechLanguage
from ova.domain.users import User
from ova.domain.vision import RgbImage
from ova.entrypoints.websocket.client_frames import AudioMessage, TextMessage
from ova.entrypoints.websocket.dialect import PUBLISHED, Dialect
from ova.entrypoints.websocket.frame_room import CUT_SHORT
from ova.entrypoints.websocket.server_frames import Frame
from ova.entrypoints.websocket.worker import ChatWorker
from tests.fakes.clock import FakeClock, SequentialIds
from tests.fakes.repositories import InMemoryUnitOfWorkFactory

VOICE_NOTE = AudioMessage("AAAAAAAA", "webm")


class MutedTextToSpeech(FakeTextToSpeech):
    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        raise ModelUnavailable("La síntesis de voz de prueba falla a propósito.")


class EndlessTextToSpeech(FakeTextToSpeech):
    """A voice that never finishes: what a cancel or a shutdown lands in while the answer is spoken."""

    def __init__(self) -> None:
        super().__init__()
        self.speaking = False

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        self.speaking = True
        await asyncio.Event().wait()
        raise AssertionError("never heard")


RICH = Dialect(transcription=True, text_then_audio=True)
PHOTO_PIXELS = RgbImage(4, 2, bytes([0, 0, 0] * 4 + [255, 255, 255] * 4))


class PhotoDecoder:
    """Any bytes are a photo with text in it (for the fake reader), except ``b"broken"``."""

    async def decode(self, data: bytes) -> RgbImage:
        if data == b"broken":
            raise UnreadableMedia()
        return PHOTO_PIXELS


class Client:
    """The other end, as the worker sees it: ``send``, ``drop`` and who the user is."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.gone = False
        self.dropped = False
        self.user_failures = 0  # the next messages for which finding the user fails unexpectedly

    async def send(self, frame: Frame | str) -> None:
        if self.gone:
            raise WebSocketDisconnect(1006)
        self.frames.append(json.loads(frame) if isinstance(frame, str) else frame)

    def drop(self) -> None:
        self.dropped = True

    async def user(self) -> User | None:
        if self.user_failures:
            self.user_failures -= 1
            raise RuntimeError("the account store broke")
        return None

    def kinds(self) -> list[str]:
        """Each frame's type; ``error:<code>``, and ``text:user`` for the user's own words."""
        return [frame["type"] + (f":{frame['code']}" if frame["type"] == "error" else "")
                + (":user" if frame.get("is_user") is True else "") for frame in self.frames]


class Setup:
    def __init__(self, *, heard: str = "hola", tts: FakeTextToSpeech | None = None,
                 dialect: Dialect = PUBLISHED, settings: ChatSettings | None = None,
                 reader: FakeTextReader | None = None, max_photo_bytes: int = 1024 * 1024) -> None:
        uow = self.uow = InMemoryUnitOfWorkFactory()
        clock = FakeClock()
        converse = Converse(uow, uow.journal(), FakeChatModel(), clock, SequentialIds("chat"), ChatPolicy("Eres OVA."))
        self.stt = FakeSpeechToText(heard)
        state = MemorySharedState(now=clock.now)
        codec = JoseTokenCodec(secret="unit-test-secret-that-is-long-enough-32", now=clock.now)
        self.metrics = CollectorRegistry()
        self.services = ChatServices(
            converse=converse, authenticate=Authenticate(codec, state, uow, AccountCache(clock)),
            voice=VoiceChat(TranscribeAudio(self.stt), converse,
                            SynthesizeSpeech(tts or FakeTextToSpeech()), SpeakSentences(tts or FakeTextToSpeech())),
            telemetry=ChatTelemetry(state, self.metrics), settings=settings or ChatSettings(),
            photo=PhotoChat(converse, AnalyzeImage(PhotoDecoder(), FakeObjectDetector(), FakeImageCaptioner(),
                                                   reader or FakeTextReader(), min_confidence=0.3)),
            max_photo_bytes=max_photo_bytes,
        )
        self.client = Client()
        self.worker = ChatWorker(self.services, converse.thread("c1"), send=self.client.send, drop=self.client.drop,
                                 user=self.client.user, log=structlog.get_logger, dialect=dialect)

    def outcomes(self, outcome: str) -> float:
        return self.metrics.get_sample_value("ova_ws_messages_total", {"outcome": outcome}) or 0.0

    async def answered(self) -> list[str]:
        """Let the worker answer all it holds, then end it; the kinds of frame it sent."""
        await until(lambda: self.worker.waiting == 0)
        await self.worker.shut_down(5.0)
        return self.client.kinds()

    async def generating(self) -> None:
        await until(lambda: self.worker.generating)

    async def stored(self) -> list[str]:
        """The texts of chat ``c1``'s turns, in order."""
        async with self.uow(read_only=True) as uow:
            return [turn.text for turn in (await uow.conversations.turns("c1", skip=0, limit=100)).items]


async def until(condition: Callable[[], bool], *, within_s: float = 5.0) -> None:
    for _ in range(int(within_s / 0.001)):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the worker never got there")


@pytest.fixture
def setup() -> Setup:
    return Setup()


async def test_messages_are_answered_in_order_and_count_as_waiting_until_answered(setup: Setup) -> None:
    setup.worker.admit(TextMessage("uno"))
    setup.worker.admit(TextMessage("dos"))
    assert setup.worker.waiting == 2
    assert await setup.answered() == ["typing", "text", "typing"] * 2
    texts = [frame for frame in setup.client.frames if frame["type"] == "text"]
    assert [frame["text"] for frame in texts] == ["Respuesta a: uno", "Respuesta a: dos"]
    assert texts[0]["id"] != texts[1]["id"]
    assert [frame["is_typing"] for frame in setup.client.frames if frame["type"] == "typing"] == [True, False] * 2
    assert setup.worker.waiting == 0 and setup.outcomes("answered") == 2


async def test_a_streamed_answer_sends_its_chunks_under_the_answers_id(setup: Setup) -> None:
    setup.worker.admit(TextMessage("hola", stream=True))
    assert await setup.answered() == ["typing", "chunk", "chunk", "chunk", "text", "typing"]
    chunks, answer = setup.client.frames[1:4], setup.client.frames[4]
    assert "".join(chunk["text"] for chunk in chunks) == answer["text"] == "Respuesta a: hola"
    assert {chunk["id"] for chunk in chunks} == {answer["id"]}


async def test_a_voice_note_gets_the_users_words_as_their_bubble_then_one_answer_bubble_with_its_audio(
    setup: Setup,
) -> None:
    setup.worker.admit(VOICE_NOTE)
    assert await setup.answered() == ["typing", "text:user", "audio", "typing"]
    words, answer = setup.client.frames[1:3]
    assert words.keys() == {"type", "id", "text", "is_user", "timestamp"}
    assert words["text"] == "hola" and words["timestamp"].endswith("Z")
    assert answer.keys() == {"type", "id", "text", "is_user", "timestamp", "audio"}
    assert answer["is_user"] is False and answer["text"] == "Respuesta a: hola"
    assert answer["audio"].startswith("data:audio/wav;base64,") and answer["timestamp"].endswith("Z")
    assert words["id"] != answer["id"]
    assert setup.outcomes("answered") == 1


async def test_a_voice_notes_language_reaches_the_transcriber_and_a_bad_one_is_refused(setup: Setup) -> None:
    setup.worker.admit(attrs.evolve(VOICE_NOTE, language="en"))
    setup.worker.admit(attrs.evolve(VOICE_NOTE, language="xx"))
    assert await setup.answered() == ["typing", "text:user", "audio", "typing",
                                      "typing", "error:validation_error", "typing"]
    assert "es, en, auto" in setup.client.frames[-2]["error"]
    assert setup.stt.asked == [SpeechLanguage.EN]


async def test_a_voice_note_on_a_connection_that_asked_for_audio_chunks_gets_its_answer_a_sentence_at_a_time(
) -> None:
    setup = Setup(heard="Hola. ¿Qué tal estás hoy?", dialect=Dialect(audio_chunks=True))
    setup.worker.admit(VOICE_NOTE)
    assert await setup.answered() == ["typing", "text:user", "text", "audio_chunk", "audio_chunk", "typing"]
    answer, first, last = setup.client.frames[2:5]
    assert [first["text"], last["text"]] == ["Respuesta a: Hola.", "¿Qué tal estás hoy?"]
    assert [first["index"], first["final"], last["index"], last["final"]] == [0, False, 1, True]
    assert first["id"] == last["id"] == answer["id"]
    assert all(frame["audio"].startswith("data:audio/wav;base64,") for frame in (first, last))


@pytest.mark.parametrize(("dialect", "kinds"), [
    (RICH, ["typing", "transcription", "text", "audio", "typing"]),
    (Dialect(transcription=True), ["typing", "transcription", "audio", "typing"]),
    (Dialect(text_then_audio=True), ["typing", "text:user", "text", "audio", "typing"]),
])
async def test_a_voice_note_gets_the_richer_frames_its_client_asked_for(dialect: Dialect, kinds: list[str]) -> None:
    setup = Setup(dialect=dialect)
    setup.worker.admit(VOICE_NOTE)
    assert await setup.answered() == kinds
    if dialect.transcription:
        assert setup.client.frames[1] == {"type": "transcription", "text": "hola"}
    audio = setup.client.frames[-2]
    assert audio["text"] == "Respuesta a: hola" and audio["audio"].startswith("data:audio/wav;base64,")
    if dialect.text_then_audio:
        answer = setup.client.frames[-3]
        assert answer["is_user"] is False and answer["text"] == audio["text"] and answer["id"] == audio["id"]
        assert audio.keys() == {"type", "id", "text", "audio"}


@pytest.mark.parametrize(("dialect", "kinds"), [
    (PUBLISHED, ["typing", "text", "typing"]),
    (RICH, ["typing", "chunk", "chunk", "chunk", "text", "typing"]),
])
async def test_a_text_message_gets_the_same_frames_whatever_the_features(dialect: Dialect, kinds: list[str]) -> None:
    setup = Setup(dialect=dialect)
    setup.worker.admit(TextMessage("hola", stream=dialect is RICH))
    assert await setup.answered() == kinds
    assert setup.client.frames[-2]["text"] == "Respuesta a: hola"


@pytest.mark.parametrize(("dialect", "kinds"), [
    (PUBLISHED, ["typing", "error:no_speech", "typing"]),
    (RICH, ["typing", "transcription", "error:no_speech", "typing"]),
])
async def test_a_voice_note_without_speech_gets_no_speech(dialect: Dialect, kinds: list[str]) -> None:
    setup = Setup(heard=" ", dialect=dialect)
    setup.worker.admit(VOICE_NOTE)
    assert await setup.answered() == kinds
    assert setup.client.frames[-2]["error"] == "No he entendido nada en la nota de voz."
    assert setup.outcomes("no_speech") == 1


@pytest.mark.parametrize(("dialect", "kinds"), [
    (PUBLISHED, ["typing", "text:user", "text", "typing"]),
    (RICH, ["typing", "transcription", "text", "typing"]),
])
async def test_a_voice_answer_that_cannot_be_spoken_still_stands_as_text(dialect: Dialect, kinds: list[str]) -> None:
    setup = Setup(tts=MutedTextToSpeech(), dialect=dialect)
    setup.worker.admit(VOICE_NOTE)
    assert await setup.answered() == kinds
    assert setup.client.frames[-2]["text"] == "Respuesta a: hola"
    assert setup.outcomes("answered") == 1


@pytest.mark.parametrize("dialect", [PUBLISHED, RICH])
async def test_a_cancel_while_the_answer_is_spoken_leaves_the_stored_answer_as_its_one_closing_frame(
    dialect: Dialect,
) -> None:
    tts = EndlessTextToSpeech()
    setup = Setup(tts=tts, dialect=dialect)
    setup.worker.admit(VOICE_NOTE)
    await until(lambda: tts.speaking)
    setup.worker.cancel()
    kinds = await setup.answered()
    assert kinds == ["typing", "transcription" if dialect.transcription else "text:user", "text", "typing"]
    assert setup.client.frames[2]["text"] == "Respuesta a: hola"
    assert setup.outcomes("answered") == 1 and setup.outcomes("cancelled") == 0


async def test_a_shutdown_while_the_answer_is_spoken_leaves_the_stored_answer_standing() -> None:
    tts = EndlessTextToSpeech()
    setup = Setup(tts=tts)
    setup.worker.admit(VOICE_NOTE)
    await until(lambda: tts.speaking)
    await setup.worker.shut_down(0.05)
    assert setup.client.kinds() == ["typing", "text:user", "text", "typing"]


async def test_cancel_stops_the_answer_with_a_cancelled_error_and_the_worker_goes_on(setup: Setup) -> None:
    setup.worker.admit(TextMessage("!slow 0.05 40"))
    await setup.generating()
    setup.worker.cancel()
    setup.worker.admit(TextMessage("otra"))
    assert await setup.answered() == ["typing", "error:cancelled", "typing", "typing", "text", "typing"]
    assert setup.outcomes("cancelled") == 1


async def test_shutdown_lets_the_answer_finish_and_refuses_what_is_still_queued(setup: Setup) -> None:
    setup.worker.admit(TextMessage("!slow 0.01 3"))
    await setup.generating()
    setup.worker.admit(TextMessage("después"))
    await setup.worker.shut_down(5.0)
    assert setup.client.kinds() == ["typing", "text", "typing", "error:unavailable", "typing"]


async def test_shutdown_cuts_off_an_answer_past_its_grace_as_unavailable(setup: Setup) -> None:
    setup.worker.admit(TextMessage("!slow 1 10"))
    await setup.generating()
    await setup.worker.shut_down(0.05)
    assert setup.client.kinds() == ["typing", "error:unavailable", "typing"]


async def test_an_unexpected_failure_is_an_internal_error_and_the_worker_goes_on(setup: Setup) -> None:
    setup.client.user_failures = 1
    setup.worker.admit(TextMessage("uno"))
    setup.worker.admit(TextMessage("dos"))
    assert await setup.answered() == ["typing", "error:internal_error", "typing", "typing", "text", "typing"]


async def test_a_client_gone_drops_the_connection_and_empties_the_queue(setup: Setup) -> None:
    setup.client.gone = True
    setup.worker.admit(TextMessage("uno"))
    setup.worker.admit(TextMessage("dos"))
    task = setup.worker.task
    assert task is not None
    await asyncio.wait({task})
    assert setup.client.dropped and setup.worker.waiting == 0


async def test_stop_ends_the_worker_at_once(setup: Setup) -> None:
    setup.worker.admit(TextMessage("!slow 1 10"))
    await setup.generating()
    await setup.worker.stop()
    task = setup.worker.task
    assert task is not None and task.cancelled()
    assert setup.client.kinds() == ["typing"] and not setup.client.dropped


def frame_bytes(frame: dict[str, Any]) -> int:
    """A frame's size as the session sends it (``json.dumps``, UTF-8)."""
    return len(json.dumps(frame, ensure_ascii=False).encode())


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("command", ["!big 100 1", "!big 3 40", "!big 0.01 20000"])
async def test_an_answer_longer_than_a_frame_is_cut_to_fit_one_frame_and_stored_as_sent(command: str,
                                                                                          stream: bool) -> None:
    setup = Setup(settings=ChatSettings(max_frame_kb=8))
    setup.worker.admit(TextMessage(command, stream=stream))

    assert await setup.answered() == ["typing", *(["chunk"] * (len(setup.client.frames) - 3)), "text", "typing"]

    assert max(frame_bytes(frame) for frame in setup.client.frames) <= 8 * 1024
    answer = setup.client.frames[-2]
    assert answer["text"].endswith(CUT_SHORT) and frame_bytes(answer) > 7 * 1024  # the frame is used, not wasted
    assert set(answer["text"].removesuffix(CUT_SHORT)) == {"x"}
    assert await setup.stored() == [command, answer["text"]]
    if stream:
        assert "".join(frame["text"] for frame in setup.client.frames[1:-2]) == answer["text"]


async def test_the_cut_counts_json_escapes_and_multibyte_characters() -> None:
    """Quotes, control characters and non-ASCII take more than a byte each in the frame."""
    setup = Setup(settings=ChatSettings(max_frame_kb=4))
    pieces = ['"\x01ñ€😀' * 50] * 20
    setup.services.converse.model._script = lambda prompt: (pieces, 0.0, False)  # type: ignore[attr-defined]
    setup.worker.admit(TextMessage("hola"))

    await setup.answered()

    answer = setup.client.frames[-2]
    assert frame_bytes(answer) <= 4 * 1024 and answer["text"].endswith(CUT_SHORT)
    assert await setup.stored() == ["hola", answer["text"]]


async def test_an_answer_that_fits_is_sent_and_stored_untouched() -> None:
    setup = Setup(settings=ChatSettings(max_frame_kb=8))
    setup.worker.admit(TextMessage("!big 7 1"))

    await setup.answered()

    assert setup.client.frames[-2]["text"] == "x" * 7 * 1024
