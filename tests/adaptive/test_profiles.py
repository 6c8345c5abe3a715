from __future__ import annotations

import pytest

from satgym.adaptive.calibration import load_processors
from satgym.adaptive.profiles import MODELS, adaptive_profile, load_profiles


@pytest.mark.parametrize("processor", list(load_processors()))
def test_every_processor_has_profiles(processor):
    for model in MODELS:
        lat, acc = adaptive_profile(processor, model)
        assert lat > 0 and 0 < acc < 1
        entry = load_profiles()["processors"][processor][model]
        if entry["feasible"]:
            lo, hi = load_profiles()["budget_ms"]
            assert lo <= lat <= hi


def test_unknown_names_list_valid_ones():
    with pytest.raises(ValueError, match="Snapdragon 835"):
        adaptive_profile("Pentium 4", "mobilenetv3")
    with pytest.raises(ValueError, match="mobilenetv3.*shufflenetv2"):
        adaptive_profile("Snapdragon 835", "resnet50")
