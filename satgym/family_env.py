"""What every scenario family's PettingZoo env shares (env layer): the render-mode check, the
per-agent spaces PettingZoo asks for, and the one explicit generator seeded by ``reset(seed)``."""

from __future__ import annotations

from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import ParallelEnv

__all__ = ["FamilyParallelEnv"]


class FamilyParallelEnv(ParallelEnv):
    """Base of the families' envs; a subclass sets ``metadata``, ``observation_spaces`` and
    ``action_spaces`` (dicts by agent) and calls :meth:`_init_render_and_rng` first."""

    def _init_render_and_rng(self, render_mode: str | None) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode: {render_mode!r} is not valid; choose one of "
                             f"{', '.join(self.metadata['render_modes'])} or None")
        self.render_mode = render_mode
        self.np_random, self.np_random_seed = seeding.np_random(None)

    def _seed(self, seed: int | None) -> None:
        """A new generator from ``seed``; None keeps drawing from the current one."""
        if seed is not None:
            self.np_random, self.np_random_seed = seeding.np_random(seed)

    # PettingZoo asks for the same space object every call
    def observation_space(self, agent: str) -> spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]
