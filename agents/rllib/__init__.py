"""RLlib (new API stack) training of satgym agents: PPO with parameter sharing, MAPPO, IPPO.

Modules: :mod:`~agents.rllib.env` (env creator), :mod:`~agents.rllib.module` (the PPO RLModule),
:mod:`~agents.rllib.config` (``build_config``), :mod:`~agents.rllib.callbacks` (env metrics),
:mod:`~agents.rllib.train` (``satgym train``), :mod:`~agents.rllib.policy` (``marl:PATH``).
Importing this package does not import Ray; import the submodules.
"""
