"""satgym core model: orbits, links, queues, tasks, ground cluster, transmission planning.

Imports numpy, sgp4, skyfield and numba only (never an RL library); the env layer in
``satgym.leoedge`` turns its arrays into observations, actions and rewards.
"""
