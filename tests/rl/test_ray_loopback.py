"""Ray stays on loopback: every socket the session's processes listen on is a loopback address."""

import ipaddress
import os

import pytest

pytestmark = pytest.mark.ray


def _is_loopback(ip: str) -> bool:
    ip = ip.split("%")[0]
    if ip.startswith("::ffff:"):
        ip = ip[len("::ffff:"):]
    return ipaddress.ip_address(ip).is_loopback


def test_ray_listens_on_loopback_only(ray_session):
    import psutil

    ray = ray_session

    @ray.remote
    def ping():
        return os.getpid()

    worker_pid = ray.get(ping.remote())
    # the session's processes: everything this test process started (gcs_server, raylet, workers)
    session = [psutil.Process()] + psutil.Process().children(recursive=True)
    names = {p.name() for p in session}
    assert {"gcs_server", "raylet"} <= names and worker_pid in {p.pid for p in session}
    checked = 0
    for proc in session:
        try:
            conns = proc.net_connections(kind="inet")
        except (psutil.AccessDenied, psutil.NoSuchProcess):
            continue
        for c in conns:
            if c.status == psutil.CONN_LISTEN:
                checked += 1
                assert _is_loopback(c.laddr.ip), f"{proc.name()} listens on {c.laddr}"
            elif c.raddr:
                assert _is_loopback(c.raddr.ip), f"{proc.name()} connects to {c.raddr}"
    assert checked > 0


def test_every_ray_start_refuses_a_ray_imported_without_the_loopback_setting():
    """``satgym compare`` and ``satgym train`` start Ray through satgym.ray_session.init_ray: a Ray imported
    before RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 would listen on the external address, so no Ray is started."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"}
    code = ("import ray\n"
            "from satgym.tools.compare import _init_ray\n"
            "try:\n    _init_ray(None, 1)\nexcept SystemExit as exc:\n    print(exc)\n"
            "print('started' if ray.is_initialized() else 'not started')\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300).stdout
    assert "external address" in out and out.rstrip().endswith("not started"), out
