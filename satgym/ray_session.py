"""Starting Ray for satgym: a local Ray on loopback, sized from this machine, or an existing cluster.

Ray decides at *import* time whether a local node may use the host's external address
(``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER``; on Linux it defaults to on, and then Ray replaces
``_node_ip_address="127.0.0.1"`` by the external address). :func:`loopback_env` sets the
variables that keep a local Ray on loopback and must run before ``import ray``; :func:`init_ray`
refuses to start a local Ray that was imported without them (the import-order guard), so every
Ray start in satgym (``satgym train``, ``satgym compare``, the experiment scripts) either stays on
127.0.0.1 or fails with a message saying why. This module does not import Ray itself.

>>> machine_cpus() >= 1
True
"""

from __future__ import annotations

import os
import tempfile

#: set before ``import ray``: a local Ray then listens on loopback only and sends no usage stats
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0", "OMP_NUM_THREADS": "1"}


def loopback_env() -> None:
    """Set :data:`LOOPBACK_ENV` (values already in the environment are kept; :func:`init_ray` checks)."""
    for key, value in LOOPBACK_ENV.items():
        os.environ.setdefault(key, value)


def machine_cpus() -> int:
    """The cores this process may run on (its CPU affinity), the default size of a local Ray."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def init_ray(address: str | None = None, num_cpus: int | None = None):
    """Attach to ``address`` or start a local Ray on loopback with ``num_cpus`` (default: all cores).

    Reuses a Ray that is already running in this process. Returns ``(ray, owned)``; shut Ray down
    only if ``owned``. RuntimeError if Ray was imported before :func:`loopback_env` (or with
    ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER`` set to 1) and a local Ray would therefore listen on the
    external address; ValueError if ``num_cpus < 1``.
    """
    if num_cpus is not None and num_cpus < 1:
        raise ValueError(f"num_cpus: must be >= 1, got {num_cpus}")
    loopback_env()
    import ray
    from ray._private import ray_constants

    if ray.is_initialized():
        return ray, False
    if address:
        ray.init(address=address, log_to_driver=False)
        return ray, True
    if ray_constants.ENABLE_RAY_CLUSTER:
        raise RuntimeError("a local Ray would listen on this host's external address: Ray was imported before "
                           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 was set (or it is set to 1). Call "
                           "satgym.ray_session.loopback_env() before anything imports ray, or export "
                           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0")
    ray.init(num_cpus=num_cpus or machine_cpus(), include_dashboard=False, _node_ip_address="127.0.0.1",
             _temp_dir=tempfile.mkdtemp(prefix="ray", dir="/tmp"), log_to_driver=False)
    return ray, True
