"""satgym core model: orbits, links, queues and tasks (numpy/sgp4/skyfield only)."""
