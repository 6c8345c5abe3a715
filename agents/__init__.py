"""Learning agents for satgym: RLlib PPO variants (:mod:`agents.rllib`), A3C, SB3.

The trained agents are policies by name (``marl:PATH``, ``a3c:PATH``, ``sb3:PATH``), registered as
entry points of ``satgym.policies`` (``pyproject.toml``); building one imports Ray or torch, this
package does not.

>>> from satgym.policies import policy_names
>>> {"marl", "a3c", "sb3"} <= set(policy_names())
True
"""
