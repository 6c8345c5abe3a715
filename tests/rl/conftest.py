"""One Ray session per test session, started the way satgym starts Ray (on loopback)."""

import pytest


@pytest.fixture(scope="session")
def ray_session():
    from satgym.ray_session import init_ray

    ray, owned = init_ray(num_cpus=2)
    yield ray
    if owned:
        ray.shutdown()
