"""Remote AI through Hugging Face: Inference API task models and the ASL Gradio Space.

Wiring: one ``HuggingFaceClient`` (over one shared ``httpx.AsyncClient``) feeds every adapter; each
adapter owns a ``CircuitBreaker`` exposed as ``.breaker`` (its ``state`` is for health reports).
"""

from ova.adapters.ai.huggingface.captioning import HfImageCaptioner
from ova.adapters.ai.huggingface.client import HuggingFaceClient
from ova.adapters.ai.huggingface.detection import HfObjectDetector
from ova.adapters.ai.huggingface.ocr import HfTextReader
from ova.adapters.ai.huggingface.sign_space import GradioSignRecognizer
from ova.adapters.ai.huggingface.speech import HfSpeechToText, HfTextToSpeech

__all__ = [
    "GradioSignRecognizer",
    "HfImageCaptioner",
    "HfObjectDetector",
    "HfSpeechToText",
    "HfTextReader",
    "HfTextToSpeech",
    "HuggingFaceClient",
]
