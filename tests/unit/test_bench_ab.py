"""The chat A/B bench's pure parts: the order of the runs and how they are summed up."""

from __future__ import annotations

from typing import Any

import pytest

from bench.ws_ab import order, per_message_us, summary


def a_run(rps: float, server_cpu: float, loop_cpu: float) -> dict[str, Any]:
    return {"result": {"rps": rps}, "server_cpu": server_cpu, "server_loop_cpu": loop_cpu}


def test_the_sides_alternate_so_that_a_drift_of_the_machine_cancels_out() -> None:
    assert order(3) == ["base", "head", "head", "base", "base", "head"]
    assert order(0) == []


def test_cpu_per_message_is_the_cpu_share_over_the_rate() -> None:
    run = a_run(5000, 0.9, 0.6)
    assert per_message_us(run, "server_cpu") == pytest.approx(180.0)
    assert per_message_us(run, "server_loop_cpu") == pytest.approx(120.0)
    assert per_message_us(a_run(0, 0.5, 0.5), "server_cpu") == 0.0


def test_each_side_is_summed_up_by_its_medians() -> None:
    runs = {"base": [a_run(4000, 0.8, 0.5), a_run(5000, 0.9, 0.6), a_run(6000, 0.6, 0.3)],
            "head": [a_run(8000, 0.8, 0.4)]}
    medians = summary(runs)
    assert medians["base"]["rps"] == 5000
    assert medians["base"]["cpu_us"] == pytest.approx(180.0)  # of 200, 180 and 100
    assert medians["head"] == {"rps": 8000, "cpu_us": pytest.approx(100.0), "loop_cpu_us": pytest.approx(50.0)}
