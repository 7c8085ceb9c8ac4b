"""A capability's health from what its adapter declares: a local model, a remote one, a fallback."""

from __future__ import annotations

from ova.adapters.ai.fakes.sign import FakeSignRecognizer
from ova.adapters.ai.fakes.vision import FakeObjectDetector
from ova.adapters.ai.fallback import with_fallback
from ova.adapters.ai.resilience import CircuitBreaker
from ova.adapters.probes import ModelProbe
from ova.application.ports.health import ProbeResult
from ova.application.ports.vision import ObjectDetector
from ova.domain.errors import ModelUnavailable
from ova.domain.vision import DetectedObject, RgbImage


class Local(FakeObjectDetector):
    def __init__(self, *, loaded: bool) -> None:
        super().__init__()
        self.loaded = loaded

    def load(self) -> None:
        self.loaded = True


class Remote(FakeObjectDetector):
    def __init__(self, clock: list[float]) -> None:
        super().__init__()
        self.breaker = CircuitBreaker("remote", failure_threshold=1, reset_after_s=10, clock=lambda: clock[0])

    async def detect(self, image: RgbImage, *, min_confidence: float) -> list[DetectedObject]:
        raise AssertionError("a health check never runs the model")


async def check(adapter: object, *, warming_up: bool = True) -> ProbeResult:
    return await ModelProbe("detection", adapter, "local", warming_up=warming_up).check()


async def test_a_local_model_is_degraded_while_it_loads_and_ok_once_loaded() -> None:
    model = Local(loaded=False)
    assert (await check(model)).status == "degraded" and (await check(model)).detail == "cargando el modelo"
    assert (await check(model, warming_up=False)).detail == "se carga con la primera petición"
    model.load()
    assert await check(model) == ProbeResult(status="ok", latency_ms=0.0, provider="local", model=model.model)


async def test_an_adapter_with_nothing_to_load_or_call_is_ok() -> None:
    assert (await check(FakeObjectDetector())).status == "ok"


async def test_a_remote_model_reports_its_circuit() -> None:
    clock = [0.0]
    remote = Remote(clock)
    assert ((await check(remote)).status, (await check(remote)).circuit) == ("ok", "closed")
    remote.breaker.record_failure()
    assert ((await check(remote)).status, (await check(remote)).circuit) == ("down", "open")
    clock[0] = 11.0
    assert ((await check(remote)).status, (await check(remote)).circuit) == ("degraded", "half_open")


async def test_a_fallback_with_an_open_circuit_is_degraded_not_down() -> None:
    remote = Remote([0.0])
    both: ObjectDetector = with_fallback(ObjectDetector, remote, Local(loaded=False))
    assert (await check(both)).status == "ok"  # the remote answers; the local model is not needed yet
    remote.breaker.record_failure()
    result = await check(both)
    assert (result.status, result.circuit) == ("degraded", "open")
    assert result.detail == "proveedor remoto caído; responde el modelo local"


async def test_the_probe_names_the_model_the_capability_runs_and_a_fallbacks_standby() -> None:
    local = Local(loaded=True)
    assert (await check(local)).model == local.model
    remote = Remote([0.0])
    both = with_fallback(ObjectDetector, remote, local)
    assert (await check(both)).model == f"{remote.model} (respaldo: {local.model})"


async def test_a_sign_recognizer_is_named_by_its_info() -> None:
    assert (await check(FakeSignRecognizer())).model == "fake-sign"


class Reachable(Remote):
    """A remote model whose engine answers (or not) a cheap probe, and counts how often it is asked."""

    def __init__(self, clock: list[float], *, answers: bool) -> None:
        super().__init__(clock)
        self.answers = answers
        self.asked = 0

    async def reachable(self) -> float:
        self.asked += 1
        if not self.answers:
            raise ModelUnavailable("El servidor de chat no responde (ConnectError).")
        return 3.5


async def ready(adapter: object, *, warming_up: bool = True) -> ProbeResult:
    return await ModelProbe("chat", adapter, "local", warming_up=warming_up, for_readiness=True).check()


async def test_for_readiness_a_model_still_loading_is_down_and_the_probe_is_critical() -> None:
    model = Local(loaded=False)
    probe = ModelProbe("chat", model, "local", for_readiness=True)
    assert probe.critical and not ModelProbe("chat", model, "local").critical
    assert ((await probe.check()).status, (await probe.check()).detail) == ("down", "cargando el modelo")
    model.load()
    assert (await probe.check()).status == "ok"


async def test_for_readiness_a_model_loaded_on_first_use_is_not_waited_for() -> None:
    """With the warm-up off nothing loads it before a request: waiting for it would keep the process
    out of the balancer for ever."""
    assert (await ready(Local(loaded=False), warming_up=False)).status == "ok"


async def test_a_remote_engine_that_does_not_answer_its_probe_is_down_with_the_reason() -> None:
    remote = Reachable([0.0], answers=False)
    for result in (await check(remote), await ready(remote)):
        assert (result.status, result.circuit) == ("down", "closed")
        assert result.detail == "El servidor de chat no responde (ConnectError)."
    remote.answers = True
    result = await ready(remote)
    assert (result.status, result.latency_ms, result.detail) == ("ok", 3.5, None)


async def test_an_open_circuit_is_down_without_asking_the_engine() -> None:
    remote = Reachable([0.0], answers=True)
    remote.breaker.record_failure()
    assert (await ready(remote)).status == "down" and remote.asked == 0


async def test_an_engine_down_with_a_local_fallback_is_degraded_so_still_ready() -> None:
    remote = Reachable([0.0], answers=False)
    both: ObjectDetector = with_fallback(ObjectDetector, remote, Local(loaded=True))
    result = await ready(both)
    assert (result.status, result.detail) == ("degraded", "proveedor remoto caído; responde el modelo local")
