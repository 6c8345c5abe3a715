"""What every scenario family's PettingZoo env shares (env layer): the render-mode check, the
per-agent spaces PettingZoo asks for, and the one explicit generator seeded by ``reset(seed)``;
and what their single-agent Gymnasium views over that env share (:class:`FamilyView`)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import ParallelEnv

__all__ = ["FamilyParallelEnv", "FamilyView"]


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


class FamilyView(gym.Env):
    """Base of the families' single-agent Gymnasium views over their PettingZoo env ``self.par``
    (set by :meth:`_init_view`): the simulator, episode metrics and rendering of the parallel env,
    its reset under the view's seed, and the per-agent observation box tiled over the agents."""

    def _init_view(self, par: ParallelEnv, render_mode: str | None) -> None:
        self.par = par
        self.render_mode = render_mode

    @property
    def sim(self):
        return self.par.sim

    def _reset_par(self, seed: int | None, options: dict | None) -> None:
        super().reset(seed=seed)
        self.par.reset(seed=seed, options=options)

    @staticmethod
    def tiled_box(box: spaces.Box, n: int) -> spaces.Box:
        """The observation space of ``n`` agents' observations (``box`` each), flattened."""
        return spaces.Box(np.tile(box.low, n), np.tile(box.high, n), dtype=np.float32)

    def episode_metrics(self) -> dict:
        return self.par.episode_metrics()

    def render(self):
        return self.par.render()
