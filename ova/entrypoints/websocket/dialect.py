"""Which frames a connection gets for a voice note: the published client's, or richer ones that a
client asks for by name in the URL (``/ws?features=transcription,text_then_audio``).

The published React client makes a bubble of every ``text`` and ``audio`` frame it gets and shows
any frame it does not know as the assistant's. So by default (no ``features``) a voice note is
answered with frames it renders right: the transcript as the user's own ``text`` bubble
(``is_user: true``, as stored in the conversation), and the answer as one ``audio`` frame that
carries the answer's ``text`` frame fields and its speech, which its "Audio automático" switch
plays. The answer's text then waits for its speech; a client that wants it at once asks for
``text_then_audio``.

Text messages get the same frames in every dialect. The worker asks the dialect at each step of a
voice reply which frame (if any) to send, so the choice lives here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from ova.domain.chat import Turn
from ova.entrypoints.websocket import server_frames
from ova.entrypoints.websocket.client_frames import FrameError
from ova.entrypoints.websocket.server_frames import Frame

FEATURES: dict[str, str] = {
    "transcription": "a voice note's transcript as a `transcription` frame, instead of the user's `text` bubble",
    "text_then_audio": "a voice note's answer as `text` as soon as it is written, its speech in a later `audio` frame",
    "audio_chunks": "a voice note's answer as `text` as soon as it is written, then spoken a sentence at a time "
                    "in `audio_chunk` frames (the first is ready long before the whole answer would be)",
}
"""The features a client may ask for, and what each changes."""
_MAX_NAMES = 16  # more names than there are features is a client bug, not a request to echo back
_NAME_CHARS = 40


@frozen
class Dialect:
    """The frames of one connection's voice replies; each step returns its frame, or ``None``
    when that dialect shows nothing at that step."""

    transcription: bool = False
    text_then_audio: bool = False
    audio_chunks: bool = False

    @property
    def features(self) -> tuple[str, ...]:
        """The features in effect, in ``FEATURES`` order (echoed in the ``connected`` frame)."""
        chosen = {"transcription": self.transcription, "text_then_audio": self.text_then_audio,
                  "audio_chunks": self.audio_chunks}
        return tuple(name for name in FEATURES if chosen[name])

    @property
    def text_first(self) -> bool:
        """The answer's text is its closing frame, sent as soon as it is written; speech follows."""
        return self.text_then_audio or self.audio_chunks

    def heard(self, text: str) -> Frame | None:
        """The transcript, as soon as it is known (empty when nothing was heard)."""
        return server_frames.transcription(text) if self.transcription else None

    def asked(self, message_id: str, question: Turn) -> Frame | None:
        """The transcript stored as the user's turn."""
        return None if self.transcription else server_frames.question(message_id, question.text, question.at)

    def answered(self, answer_id: str, answer: Turn) -> Frame | None:
        """The answer, written and stored; by default it waits for its speech."""
        return server_frames.answer(answer_id, answer.text, answer.at) if self.text_first else None

    def spoken(self, answer_id: str, answer: Turn, wav: bytes) -> Frame:
        """The answer's speech: the closing frame by default, the answer's addendum otherwise."""
        if self.text_first:
            return server_frames.spoken(answer_id, answer.text, wav)
        return server_frames.spoken_answer(answer_id, answer.text, answer.at, wav)

    def unspoken(self, answer_id: str, answer: Turn) -> Frame | None:
        """The answer whose speech failed or was cancelled: it stands as text (already sent, or now)."""
        return None if self.text_first else server_frames.answer(answer_id, answer.text, answer.at)


PUBLISHED = Dialect()
"""What a client that asks for no feature gets: the published React client's frames."""


def dialect_for(requested: Sequence[str]) -> Dialect:
    """The dialect of ``features`` query values (each comma-separated; blanks and repeats ignored).

    Raises ``FrameError`` ``unknown_feature`` naming the unknown names and the accepted ones: a
    client that asks for frames this server does not send must learn it at once, not wait for
    frames that never come."""
    names = [name.strip() for value in requested for name in value.split(",") if name.strip()]
    unknown = sorted({name[:_NAME_CHARS] for name in names if name not in FEATURES})[:_MAX_NAMES]
    if unknown:
        accepted = list(FEATURES)
        raise FrameError(
            "unknown_feature",
            f"Función desconocida en `features`: {', '.join(unknown)}. Se aceptan: {', '.join(accepted)}.",
            unknown=unknown, accepted=accepted)
    chosen = set(names)
    return Dialect(transcription="transcription" in chosen, text_then_audio="text_then_audio" in chosen,
                   audio_chunks="audio_chunks" in chosen)
