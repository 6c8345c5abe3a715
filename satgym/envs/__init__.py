"""The RL API layer: PettingZoo parallel env, AEC view, single-agent Gymnasium views."""

from satgym.envs.gym_views import CentralisedEnv, SingleSatelliteEnv
from satgym.envs.parallel_env import SatelliteEdgeEnv

__all__ = ["CentralisedEnv", "SatelliteEdgeEnv", "SingleSatelliteEnv"]
