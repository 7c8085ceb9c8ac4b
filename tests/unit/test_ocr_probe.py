"""The OCR health probe: a missing Tesseract or language is ``down`` with what to install, or only
``degraded`` when the local reader merely stands in for a remote one."""

from __future__ import annotations

from ova.adapters.ai.fakes.text_reading import FakeTextReader
from ova.adapters.ai.fallback import with_fallback
from ova.adapters.ai.local.ocr_probe import TextReaderProbe
from ova.application.ports.vision import TextReader


class UninstalledReader(FakeTextReader):
    """A local reader whose program is missing on this machine."""

    def __init__(self) -> None:
        super().__init__()
        self.checks = 0

    def problem(self) -> str | None:
        self.checks += 1
        return "Tesseract no está instalado (apt-get install -y tesseract-ocr)."


async def test_a_missing_program_is_down_with_what_to_install() -> None:
    result = await TextReaderProbe("ocr", UninstalledReader(), "local").check()
    assert result.status == "down" and "apt-get install" in (result.detail or "")


async def test_a_reader_that_needs_no_install_is_ok() -> None:
    assert (await TextReaderProbe("ocr", FakeTextReader(), "fake").check()).status == "ok"


async def test_a_missing_stand_in_only_degrades_a_remote_reader() -> None:
    adapter = with_fallback(TextReader, FakeTextReader(), UninstalledReader())
    result = await TextReaderProbe("ocr", adapter, "openai-compatible").check()
    assert result.status == "degraded" and "respaldo local" in (result.detail or "")


async def test_the_installation_is_not_checked_again_on_every_probe() -> None:
    reader = UninstalledReader()
    probe = TextReaderProbe("ocr", reader, "local")
    for _ in range(3):
        await probe.check()
    assert reader.checks == 1
