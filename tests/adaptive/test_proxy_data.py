from __future__ import annotations

import numpy as np
import pytest
import torch

from satgym.adaptive.proxy_data import SHAPE_CLASSES, load_proxy_data, make_shapes


def test_shapes_are_deterministic_balanced_and_split_independently():
    a = load_proxy_data("shapes", n_train=100, n_val=20, n_test=50)
    b = load_proxy_data("shapes", n_train=100, n_val=20, n_test=50)
    c = load_proxy_data("shapes", data_seed=1, n_train=100, n_val=20, n_test=50)
    assert torch.equal(a.x_test, b.x_test) and not torch.equal(a.x_test, c.x_test)
    assert a.x_train.shape == (100, 1, 16, 16) and a.x_train.dtype == torch.float32
    assert np.bincount(a.y_train.numpy(), minlength=10).tolist() == [10] * 10
    flat_train = a.x_train.reshape(100, -1)
    assert torch.cdist(a.x_test.reshape(50, -1), flat_train).min() > 1.0  # no shared images
    assert abs(float(a.x_train.mean())) < 0.2 and 0.8 < float(a.x_train.std()) < 1.2


def test_shape_classes_are_told_apart_by_their_strokes():
    """Without noise a nearest-class-mean classifier beats chance by far; with the default
    noise it does much worse (the proxy is not solvable by template matching)."""
    rng = np.random.default_rng(0)
    accs = []
    for sd in (0.0, 0.25):
        x, y = make_shapes(1000, np.random.default_rng(1), noise_sd=sd)
        xt, yt = make_shapes(300, rng, noise_sd=sd)
        means = np.stack([x[y == c].mean(0) for c in range(len(SHAPE_CLASSES))])
        d = ((xt[:, None] - means[None]) ** 2).sum((2, 3))
        accs.append(float((d.argmin(1) == yt).mean()))
    assert accs[0] > 0.3 and accs[1] < accs[0]


def test_unknown_proxy_name():
    with pytest.raises(ValueError, match="shapes"):
        load_proxy_data("imagenet")
    with pytest.raises(ValueError, match="valid"):
        load_proxy_data("shapes", n_train=10, n_val=10, n_test=10).split("holdout")
