"""Offline proxy data sets for the one-shot supernet (no download, deterministic).

The paper trains on ImageNet; satgym cannot ship or download it. Two 16x16 grey-scale, 10-class
proxies are available:

* ``shapes`` (default) - a synthetic data set generated here: ten stroke glyphs (ring, square,
  triangle, plus, cross, equals, T, L, chevron, H), each drawn as anti-aliased line segments
  under a random affine map (scale 0.5-0.9, rotation +-15 deg, aspect 0.85-1.15, shift +-0.25 of
  the half-width), random stroke width (0.07-0.14) and contrast (0.6-1.0), one clutter stroke
  with probability 0.7, and Gaussian pixel noise (sd 0.25); strokes are anti-aliased over one
  pixel of the 16x16 grid. Classes are balanced; the splits are independent draws (default 6000 train / 1000 val /
  5000 test), and the data depend only on ``data_seed`` (not on the training seed), so every
  training seed is scored on the same test images. A test set of 5000 gives a binomial standard
  error of about 0.5 points at 85 % accuracy.
* ``digits`` - scikit-learn's ``load_digits`` (1797 8x8 images upsampled to 16x16; 1200 train /
  300 val / 297 test), the proxy used before; its 297 test images give +-2 points of noise.

``+`` and ``x`` differ by 45 deg, so the +-15 deg rotation keeps them apart by 15 deg; the clutter
stroke and the noise make the task hard enough that sub-networks differ (no class is separable by
a single pixel).

Example:
    >>> d = load_proxy_data("shapes", n_train=20, n_val=10, n_test=10)
    >>> tuple(d.x_train.shape), int(d.y_train.max()) <= 9
    ((20, 1, 16, 16), True)
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is imported by the loaders (the CLI parser imports this module)
    import torch

PROXY_DATASETS = ("shapes", "digits")
SHAPE_CLASSES = ("ring", "square", "triangle", "plus", "cross", "equals", "T", "L", "chevron", "H")


@dataclass
class ProxyData:
    """Images (N, 1, 16, 16), standardised, and integer labels, split train / val / test."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    def split(self, split: str) -> tuple[torch.Tensor, torch.Tensor]:
        if split not in ("train", "val", "test"):
            raise ValueError(f"unknown split {split!r}; valid: ('train', 'val', 'test')")
        return getattr(self, f"x_{split}"), getattr(self, f"y_{split}")


def _polygon(n: int, r: float = 1.0, phase: float = 0.0) -> list[tuple[float, float, float, float]]:
    a = phase + 2 * np.pi * np.arange(n + 1) / n
    p = r * np.stack([np.cos(a), np.sin(a)], 1)
    return [(*p[i], *p[i + 1]) for i in range(n)]


def _templates() -> list[np.ndarray]:
    """Line segments (x0, y0, x1, y1) of each class in [-1, 1]^2 (y up)."""
    t = [
        _polygon(16),                                                    # ring
        _polygon(4, np.sqrt(2) * 0.8, np.pi / 4),                        # square
        _polygon(3, 1.0, np.pi / 2),                                     # triangle
        [(-1, 0, 1, 0), (0, -1, 0, 1)],                                  # plus
        [(-0.75, -0.75, 0.75, 0.75), (-0.75, 0.75, 0.75, -0.75)],        # cross
        [(-0.9, 0.35, 0.9, 0.35), (-0.9, -0.35, 0.9, -0.35)],            # equals
        [(-0.9, 0.85, 0.9, 0.85), (0, 0.85, 0, -0.95)],                  # T
        [(-0.6, 0.95, -0.6, -0.85), (-0.6, -0.85, 0.8, -0.85)],          # L
        [(-0.9, -0.5, 0, 0.6), (0, 0.6, 0.9, -0.5)],                     # chevron
        [(-0.7, -0.9, -0.7, 0.9), (0.7, -0.9, 0.7, 0.9), (-0.7, 0, 0.7, 0)],  # H
    ]
    return [np.asarray(s, dtype=np.float64) for s in t]


def _segment_distance(pts: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Distance of points (P, 2) to segments (N, S, 4) -> (N, S, P)."""
    a, b = seg[..., None, :2], seg[..., None, 2:]
    ab = b - a
    t = np.clip(((pts - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0.0, 1.0)
    return np.linalg.norm(pts - (a + t[..., None] * ab), axis=-1)


def make_shapes(n: int, rng: np.random.Generator, hw: int = 16, noise_sd: float = 0.25
                ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` glyph images (n, hw, hw) in [0, 1] + noise and balanced labels (see module doc)."""
    temps = _templates()
    s_max = max(len(t) for t in temps) + 1
    y = np.arange(n) % len(temps)
    rng.shuffle(y)
    seg = np.zeros((n, s_max, 4))
    mask = np.zeros((n, s_max), dtype=bool)
    for c, t in enumerate(temps):
        idx = np.flatnonzero(y == c)
        seg[idx, : len(t)] = t
        mask[idx, : len(t)] = True
    scale = rng.uniform(0.5, 0.9, n) * np.exp(rng.uniform(-1, 1, (2, n)) * np.log(1.15) / 2)
    rot = np.deg2rad(rng.uniform(-15, 15, n))
    shift = rng.uniform(-0.25, 0.25, (n, 2))
    cos, sin = np.cos(rot), np.sin(rot)
    m = np.stack([np.stack([cos * scale[0], -sin * scale[1]], -1),
                  np.stack([sin * scale[0], cos * scale[1]], -1)], -2)       # (n, 2, 2)
    ends = seg.reshape(n, s_max, 2, 2)
    ends = np.einsum("nij,nskj->nski", m, ends) + shift[:, None, None, :]
    seg = ends.reshape(n, s_max, 4)
    clutter = rng.random(n) < 0.7                                            # one clutter stroke
    c0 = rng.uniform(-1, 1, (n, 2))
    ang = rng.uniform(0, 2 * np.pi, n)
    length = rng.uniform(0.3, 0.8, n)
    seg[:, -1] = np.concatenate([c0, c0 + length[:, None] * np.stack([np.cos(ang), np.sin(ang)], 1)], 1)
    mask[:, -1] = clutter
    width = rng.uniform(0.07, 0.14, n)
    contrast = rng.uniform(0.6, 1.0, n)
    px = 2.0 / hw
    g = (np.arange(hw) + 0.5) * px - 1
    pts = np.stack(np.meshgrid(g, -g, indexing="xy"), -1).reshape(-1, 2)
    img = np.empty((n, hw * hw))
    for lo in range(0, n, 500):
        sl = slice(lo, lo + 500)
        d = _segment_distance(pts, seg[sl])
        d = np.where(mask[sl, :, None], d, np.inf).min(1)
        img[sl] = np.clip((width[sl, None] - d) / px + 0.5, 0.0, 1.0)        # 1-pixel anti-aliasing
    img = img.reshape(n, hw, hw) * contrast[:, None, None]
    img = img + noise_sd * rng.standard_normal(img.shape)
    return img.astype(np.float32), y.astype(np.int64)


def load_shapes_data(n_train: int = 6000, n_val: int = 1000, n_test: int = 5000, data_seed: int = 0
                     ) -> ProxyData:
    """The synthetic ``shapes`` proxy; each split is an independent draw from its own stream."""
    import torch
    streams = np.random.SeedSequence([data_seed, 17]).spawn(3)
    parts = [make_shapes(k, np.random.default_rng(s)) for k, s in zip((n_train, n_val, n_test), streams)]
    xs = [torch.from_numpy((x - 0.15) / 0.37).unsqueeze(1) for x, _ in parts]  # ~zero mean, unit sd
    ys = [torch.from_numpy(y) for _, y in parts]
    return ProxyData("shapes", xs[0], ys[0], xs[1], ys[1], xs[2], ys[2])


def load_digits_data(seed: int = 0, hw: int = 16, n_val: int = 300, n_test: int = 297,
                     limit: int | None = None) -> ProxyData:
    """scikit-learn ``load_digits`` (ships with scikit-learn, no download), shuffled by ``seed``."""
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_digits
    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    x = (F.interpolate(x, size=(hw, hw), mode="bilinear", align_corners=False) - 0.3) / 0.4
    y = torch.tensor(d.target, dtype=torch.long)
    perm = torch.tensor(np.random.default_rng(seed).permutation(len(y)))
    if limit is not None:
        perm = perm[:limit]
        n_val, n_test = len(perm) // 5, len(perm) // 5
    x, y = x[perm], y[perm]
    a, b = len(y) - n_val - n_test, len(y) - n_test
    return ProxyData("digits", x[:a], y[:a], x[a:b], y[a:b], x[b:], y[b:])


def load_proxy_data(name: str = "shapes", data_seed: int = 0, n_train: int = 6000,
                    n_val: int = 1000, n_test: int = 5000) -> ProxyData:
    """Proxy data set by name (``shapes`` or ``digits``; digits ignores the sizes)."""
    if name == "shapes":
        return load_shapes_data(n_train, n_val, n_test, data_seed)
    if name == "digits":
        return load_digits_data(seed=data_seed)
    raise ValueError(f"unknown proxy data set {name!r}; valid: {PROXY_DATASETS}")
