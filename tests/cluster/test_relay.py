"""Any node serves any pet: a live view and REST commands on one node for a pet that
another node runs, relayed through PostgreSQL LISTEN/NOTIFY (real processes)."""

from __future__ import annotations

import pytest

from tests.cluster.support import Cluster, pg_database
from tests.server.helpers import Viewer, held_in_frame, wait_for


@pytest.fixture
def cluster(tmp_path):
    with pg_database() as url:
        c = Cluster(tmp_path, url)
        try:
            yield c
        finally:
            c.close()


def test_a_websocket_on_one_node_plays_a_pet_that_runs_on_another(cluster):
    a, b = cluster.start("na", "nb")
    cluster.sign_in("nb")
    csrf_a = {"X-CSRF-Token": cluster.sign_in("na")["X-CSRF-Token"]}
    (pet,) = cluster.create_pets("nb", 1)  # created on nb, and its share: it runs there
    wait_for(lambda: cluster.leases()[pet] == "nb", what="the pet on nb")
    assert cluster.balanced(1, {"na", "nb"}) is None or cluster.leases()[pet] == "nb"

    # REST through na: answered by nb, which says so
    got = a.client.get(f"/api/pets/{pet}")
    assert got.status_code == 200, got.text
    assert got.json()["node"] == "nb" and got.json()["status"] == "running"
    listed = a.client.get("/api/pets").json()
    assert [p["node"] for p in listed] == ["nb"]
    glances = a.client.get("/api/pets/screens").json()  # the pet list's thumbnails, from nb
    assert [g["id"] for g in glances] == [pet] and len(glances[0]["frame"]) == 130

    jar = "; ".join(f"{k}={v}" for k, v in a.client.cookies.items())
    ws_url = a.url.replace("http://", "ws://") + f"/api/pets/{pet}/ws"
    with Viewer(ws_url, additional_headers={"Cookie": jar, "Origin": a.url}) as viewer:
        viewer.until(lambda v: v.frames and v.statuses, what="the welcome, relayed")
        assert viewer.statuses[0]["status"] == "running"
        assert held_in_frame(viewer.frames[-1][1]) == set()
        viewer.send(type="button", button="A", down=True)
        viewer.until(lambda v: "A" in held_in_frame(v.frames[-1][1]),
                     what="the frame showing A held, from nb")
        viewer.send(type="button", button="A", down=False)
        viewer.until(lambda v: "A" not in held_in_frame(v.frames[-1][1]),
                     what="the frame showing A released")
        # a REST press on na shows in the same (relayed) live view
        r = a.client.post(f"/api/pets/{pet}/buttons", json={"button": "B", "ms": 300},
                          headers=csrf_a)
        assert r.status_code == 200, r.text
        viewer.until(lambda v: any("B" in held_in_frame(f) for _, f in v.frames),
                     what="B pressed through REST on na")
    screen = a.client.get(f"/api/pets/{pet}/screen")
    assert screen.status_code == 200 and len(screen.json()["pixels"]) == 16
    state = a.client.get(f"/api/pets/{pet}/state")
    assert state.status_code == 200 and state.content[:4] == b"PGST"
    # uploads too: a state file back (saved by nb), and 20 kB of junk (more than one
    # notification carries) refused by nb as a state, which it read whole
    up = a.client.put(f"/api/pets/{pet}/state", files={"file": ("s.pgst", state.content)},
                      headers=csrf_a)
    assert up.status_code == 200 and up.json()["node"] == "nb", up.text
    junk = a.client.put(f"/api/pets/{pet}/state", files={"file": ("big", bytes(20000))},
                        headers=csrf_a)
    assert junk.status_code == 422 and junk.json()["error"] == "bad_state", junk.text
    relayed = [e for e in b.events("request") if e["path"].startswith(f"/api/pets/{pet}")]
    assert len(relayed) >= 4  # answered by nb, although asked of na
    assert not [e for e in a.events("request") if e["path"] == f"/api/pets/{pet}/screen"]


def test_operators_see_the_nodes(cluster, tmp_path):
    import subprocess
    import sys

    cluster.start("na", "nb")
    cluster.sign_in("na")
    cluster.create_pets("na", 6)
    cluster.sign_in("nb")
    held = wait_for(lambda: (h := cluster.held()) and sum(h.values()) == 6 and
                    min(h.values()) >= 2 and h, what="6 pets on na and nb")
    r = cluster.nodes["nb"].client.get("/api/cluster")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["mode"] == "cluster" and data["node"] == "nb" and data["pets"] == 6
    assert {n["name"]: n["pets"] for n in data["nodes"]} == held
    assert all(n["alive"] and n["heartbeat_age_s"] < 30 for n in data["nodes"])
    pets = cluster.nodes["na"].client.get("/api/pets").json()
    assert sorted(p["node"] for p in pets) == ["na"] * held["na"] + ["nb"] * held["nb"]
    shown = subprocess.run([sys.executable, "-m", "pygotchi", "cluster", "--data-dir",
                            str(tmp_path / "data")], capture_output=True, text=True,
                           env={**__import__("os").environ,
                                "PYGOTCHI_DATABASE_URL": cluster.url}, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "6 pets, 0 run by no live node" in shown.stdout
    assert [line.split()[0] for line in shown.stdout.splitlines()[2:]] == ["na", "nb"]
