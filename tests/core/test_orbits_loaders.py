"""Shipped data, TLE/OMM loaders, plane inference and ground-station lists."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from satgym.core.orbits import (
    DATA_FILES,
    ELEMENT_EXTENSIONS,
    MIYUN,
    GroundStations,
    data_path,
    infer_planes,
    load_cities,
    load_elements,
    load_omm,
    load_starlink_gateways,
    load_tle,
)

pytestmark = pytest.mark.usefixtures("no_network")

SHA256 = {
    "tle/iridium-next.tle": "a58b322f3e3afb511ad50939b4e617a6d432b41a77d589ef6027a3d66def6cae",
    "tle/starlink.tle": "2b36fa8bfc2f18c6a3aa45b9f1c46bd8c2174a5957f153f0ae5c56fdc6e85c1e",
    "tle/oneweb.tle": "68ed1d78dff64cca85010538bedaa195a44d58aac22ecd294f7b795adda79d53",
    "tle/starlink-omm-2024-05.json": "50bc30e928f4b50b8ab8558dc2dbc01d4e13dceaebfe14474105a7c77373b7d8",
    "ground_stations/starlink-gateways.xml": "9dfc02d55e95a8139661ac786f2b3afdbe547404b15aada3964f7d968f36aa2c",
    "ground_stations/cities-top100.txt": "7432ad4abf5d2159ed9351080599657604e210095b73874e3e51d7fb9871ab62",
}


def test_shipped_files_are_the_documented_bytes():
    assert set(DATA_FILES) == set(SHA256)
    for name, digest in SHA256.items():
        assert hashlib.sha256(data_path(name).read_bytes()).hexdigest() == digest, name
    provenance = (data_path("tle/starlink.tle").parents[1] / "PROVENANCE.md").read_text()
    for digest in SHA256.values():
        assert digest in provenance
    with pytest.raises(FileNotFoundError, match="available"):
        data_path("tle/nope.tle")


def test_iridium_next_counts_planes_and_altitudes(iridium):
    assert iridium.n_sats == 80
    assert iridium.n_planes == 6
    sizes = np.bincount(iridium.plane)
    assert sizes.min() >= 11  # 11 operational satellites per plane plus spares
    assert np.median(iridium.altitude_km) == pytest.approx(778.0, abs=2.0)
    raan = np.sort([np.median(iridium.raan_deg[iridium.plane == p]) for p in range(6)])
    gaps = np.sort(np.diff(np.r_[raan, raan[0] + 360.0]))
    assert np.all((gaps[:5] > 25.0) & (gaps[:5] < 40.0))  # ~31.6 deg apart: a Walker star ...
    assert gaps[5] > 150.0  # ... with a counter-rotating seam
    for p in range(6):  # slots are a permutation in each plane
        assert sorted(iridium.slot_in_plane[iridium.plane == p]) == list(range(sizes[p]))


def test_starlink_prefix_filters_debris_and_shells_are_found(starlink):
    everything = load_tle(data_path("tle/starlink.tle"))
    assert everything.n_sats == 5293
    assert starlink.n_sats == 5285
    assert all(n.startswith("STARLINK") for n in starlink.names)
    assert "FALCON 9 DEB" in everything.names and "BLUEWALKER 3" in everything.names
    shells = {round(float(np.median(starlink.inclination_deg[starlink.shell == s])), 1):
              int((starlink.shell == s).sum()) for s in np.unique(starlink.shell)}
    assert set(shells) == {43.0, 53.1, 53.2, 70.0, 97.7} or len(shells) == 5
    assert sum(shells.values()) == 5285
    # the 53.05 and 53.2 deg shells have 72 planes each; raising batches add a few more groups
    for s in np.unique(starlink.shell):
        planes = np.unique(starlink.plane[starlink.shell == s])
        if abs(np.median(starlink.inclination_deg[starlink.shell == s]) - 53.05) < 0.05:
            assert 65 <= planes.size <= 95


def test_plane_inference_uses_raan_at_a_common_epoch(starlink):
    """Within an inferred plane, J2-propagated RAANs agree although raw TLE RAANs do not."""
    raw = np.rad2deg([s.nodeo for s in starlink.satrecs])
    epochs = np.array([s.jdsatepoch + s.jdsatepochF for s in starlink.satrecs])
    assert np.ptp(epochs) > 2.0  # TLE epochs span days

    def spread_deg(values, members):
        return np.rad2deg(np.ptp(np.unwrap(np.deg2rad(np.sort(values[members])))))

    raw_spreads, spreads = [], []
    for p in np.unique(starlink.plane):
        members = starlink.plane == p
        if members.sum() >= 15 and np.ptp(epochs[members]) > 0.5:
            raw_spreads.append(spread_deg(raw, members))
            spreads.append(spread_deg(starlink.raan_deg, members))
    assert len(spreads) > 50
    assert np.median(spreads) < 1.0
    assert np.median(raw_spreads) > 2.0  # would not cluster without the J2 correction


def test_infer_planes_merges_small_groups():
    inc = np.r_[np.full(10, 86.4), np.full(10, 86.4), 86.2]
    raan = np.r_[np.full(10, 4.0), np.full(10, 35.6), 29.6]
    shell, plane = infer_planes(inc, raan, min_plane_size=3)
    assert np.unique(plane).size == 2 and plane[-1] == plane[10]
    _, plane1 = infer_planes(inc, raan, min_plane_size=1)
    assert np.unique(plane1).size == 3


def test_oneweb_and_omm_counts():
    oneweb = load_elements(data_path("tle/oneweb.tle"), name_prefix="ONEWEB")
    assert oneweb.n_sats == 634
    omm = load_omm(data_path("tle/starlink-omm-2024-05.json"))
    assert omm.n_sats == 5977
    assert omm.epoch.year == 2024 and omm.epoch.month == 5
    first = load_elements(data_path("tle/starlink-omm-2024-05.json"), max_sats=3)
    assert first.names == ("STARLINK-1007", "STARLINK-1008", "STARLINK-1009") or first.n_sats == 3
    assert first.names[0] == "STARLINK-1007"


def test_two_line_tles_without_names(tmp_path):
    lines = data_path("tle/iridium-next.tle").read_text().splitlines()
    path = tmp_path / "two.tle"
    path.write_text("\n".join([lines[1], lines[2], "", lines[4], lines[5]]) + "\n")
    c = load_tle(path, min_plane_size=1)
    assert c.n_sats == 2 and c.names[0].startswith("NORAD ")


@pytest.mark.parametrize(
    "mutate, line, word",
    [
        (lambda ls: ls.__setitem__(5, ls[5][:40]), 6, "characters"),
        (lambda ls: ls.__setitem__(4, ls[4][:68] + str((int(ls[4][68]) + 1) % 10)), 5, "checksum"),
        (lambda ls: ls.__setitem__(5, "1" + ls[5][1:]), 6, "line 2"),
        (lambda ls: ls.__delitem__(slice(7, 9)), 7, "line"),
    ],
)
def test_malformed_tle_names_file_and_line(tmp_path, mutate, line, word):
    lines = data_path("tle/iridium-next.tle").read_text().splitlines()[:9]
    mutate(lines)
    path = tmp_path / "bad.tle"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=rf"bad\.tle:{line}:.*{word}"):
        load_tle(path)


def test_malformed_omm_and_unknown_extension(tmp_path):
    records = json.loads(data_path("tle/starlink-omm-2024-05.json").read_text())[:3]
    del records[1]["MEAN_MOTION"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records))
    with pytest.raises(ValueError, match=r"bad\.json: record 1: missing OMM field MEAN_MOTION"):
        load_omm(bad)
    broken = tmp_path / "broken.json"
    broken.write_text('[\n{"OBJECT_NAME": "X",\n oops}\n]')
    with pytest.raises(ValueError, match=r"broken\.json:3"):
        load_omm(broken)
    with pytest.raises(ValueError, match=r"\.tle, \.txt.*\.json"):
        load_elements(tmp_path / "elements.dat")
    assert ".json" in ELEMENT_EXTENSIONS and ".tle" in ELEMENT_EXTENSIONS


def test_ground_station_lists():
    cities = load_cities()
    assert cities.n_stations == 100 and cities.names[:2] == ("Tokyo", "Delhi")
    assert load_cities(10).n_stations == 10
    with pytest.raises(ValueError, match="n must"):
        load_cities(0)
    gateways = load_starlink_gateways()
    assert gateways.n_stations == 222
    coords = set(zip(gateways.lat_deg.tolist(), gateways.lon_deg.tolist()))
    assert len(coords) == 222
    everything = load_starlink_gateways(unique=False)
    assert everything.n_stations == 261
    assert sum(n.endswith("[E]") for n in everything.names) == 43
    assert MIYUN.names == ("Miyun",)
    assert (MIYUN.lat_deg[0], MIYUN.lon_deg[0], MIYUN.alt_km[0]) == (40.45, 116.86, 0.1)


def test_ground_stations_validation_and_ecef():
    gs = GroundStations.from_list([("pole", 90.0, 0.0), ("equator", 0.0, 190.0, 0.0)])
    np.testing.assert_allclose(gs.lon_deg, [0.0, -170.0])
    ecef = gs.ecef_km()
    assert ecef[0, 2] == pytest.approx(6356.752, abs=1e-3)  # WGS84 polar radius
    assert np.linalg.norm(ecef[1]) == pytest.approx(6378.137)
    with pytest.raises(ValueError, match="lat_deg"):
        GroundStations.from_list([("x", 91.0, 0.0)])
    with pytest.raises(ValueError, match="alt_km"):
        GroundStations.from_list([("x", 0.0, 0.0, 120.0)])
    with pytest.raises(ValueError, match="station entry"):
        GroundStations.from_list([("x", 0.0)])


def test_unknown_plane_option_lists_valid_ones():
    with pytest.raises(ValueError, match="raan_tolerance_deg"):
        load_tle(data_path("tle/iridium-next.tle"), raan_tol=2.0)
