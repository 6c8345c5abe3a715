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
