"""Bad input gets a clear error and changes nothing."""

import numpy as np
import pytest

import satgym
from tests.envs.helpers import short_env


def snapshot(env):
    T = env.sim.tasks
    return (env.sim.k, env.sim.time_s, env.state().copy(), T.F[: T.n].tobytes(), T.I[: T.n].tobytes(),
            env.sim.proc_busy.tobytes(), env.sim.link_busy.tobytes(), env.sim.metrics.generated)


@pytest.mark.parametrize(
    "bad",
    [np.array([3, 0, 0, 0]), np.array([-1, 0, 0, 0]), np.array([0, 1]), np.array([0.5, 0, 0, 0]), "offload"],
)
def test_action_outside_the_space(bad):
    env = short_env()
    env.reset(seed=0)
    env.step({})
    before = snapshot(env)
    with pytest.raises(ValueError, match=r"actions\['sat_1'\].*0 \(local\), 1 \(offload\) or 2 \(hold\)"):
        env.step({"sat_0": np.zeros(4, dtype=np.int64), "sat_1": bad})
    after = snapshot(env)
    assert before[:2] == after[:2] and np.array_equal(before[2], after[2]) and before[3:] == after[3:]


def test_unknown_agent():
    env = short_env()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="unknown agent"):
        env.step({"sat_99": np.zeros(4, dtype=np.int64)})


def test_unknown_scenario_and_key_and_negative_rate():
    with pytest.raises(ValueError, match="scenario.*leoedge"):
        satgym.parallel_env("mars")
    with pytest.raises(ValueError, match="unknown key"):
        satgym.parallel_env("leoedge", {"links": {"speed": 1}})
    with pytest.raises(ValueError, match="links.ground_rate_mbps: must be > 0"):
        satgym.parallel_env("leoedge", {"links": {"ground_rate_mbps": -10}})
    with pytest.raises(ValueError, match="tasks.load"):
        satgym.parallel_env("leoedge", load="extreme")
    with pytest.raises(ValueError, match="render_mode"):
        satgym.parallel_env("leoedge", render_mode="human")


def test_malformed_tle_file(tmp_path):
    bad = tmp_path / "bad.tle"
    bad.write_text("SAT A\n1 25544U 98067A   24012.5 garbage\n2 25544  51.6\n")
    with pytest.raises(ValueError, match="bad.tle"):
        satgym.parallel_env("leoedge", {"constellation": {"source": "file", "file": str(bad)}})


def test_unknown_processor_lists_catalogue():
    with pytest.raises(ValueError, match="compute.processors.*Snapdragon 835"):
        satgym.parallel_env("leoedge", {"compute": {"processors": ["Pentium 4"]}})
