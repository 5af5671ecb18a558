"""Real server processes sharing the pets of one PostgreSQL database by leases.

Three nodes spread 300 pets evenly; a node killed with SIGKILL has its pets run
again by the others from their last checkpoint; a node stopped with SIGTERM
hands its pets over at once; a node frozen with SIGSTOP past its lease wakes up
and can neither overwrite a pet another node runs nor go on running it. Every
checkpoint is recorded with the node and lease epoch that wrote it
(``PYGOTCHI_CLUSTER_HISTORY``), and that record is checked whole.

Safety is checked exactly; "eventually" has generous deadlines (2-core CI).
"""

from __future__ import annotations

import signal
import sys
import time

import pytest

from tests.cluster.support import (
    CHECKPOINT,
    IDLE,
    LEASE_TIMEOUT,
    Cluster,
    check_history,
    history,
    now_db,
    pg_database,
    sql,
)
from tests.server.helpers import wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")

# What a checkpoint may be behind the moment a node dies: one interval, the age of the
# state it saved (unwatched pets advance every IDLE), and scheduling slack on a busy host.
LIFE_LOST_MAX = CHECKPOINT + IDLE + 0.5


@pytest.fixture
def cluster(tmp_path):
    with pg_database() as url:
        c = Cluster(tmp_path, url)
        try:
            yield c
        finally:
            c.close()


def states(url: str) -> dict[str, tuple[int, float]]:
    return {r[0]: (r[1], r[2]) for r in sql(url, "SELECT id, state_tick, state_at FROM pets")}


def test_300_pets_spread_over_3_nodes_and_a_killed_node_s_pets_run_again(cluster):
    cluster.start("n1", "n2", "n3")
    cluster.sign_in("n1")
    pets = cluster.create_pets("n1", 300)
    shares = cluster.wait_balanced(300, {"n1", "n2", "n3"}, timeout=90)
    assert all(90 <= n <= 110 for n in shares.values()), shares

    victims = [p for p, node in cluster.leases().items() if node == "n3"]
    assert len(victims) == shares["n3"]
    killed_at = now_db(cluster.url)
    assert cluster.nodes["n3"].stop(signal.SIGKILL) == -signal.SIGKILL
    before = states(cluster.url)  # n3 writes nothing any more: its last checkpoints
    lost = {p: killed_at - before[p][1] for p in victims}
    assert max(lost.values()) <= LIFE_LOST_MAX, \
        f"a pet lost {max(lost.values()):.2f} s of life (at most {LIFE_LOST_MAX} s)"

    def all_running_again():
        leases, now = cluster.leases(), states(cluster.url)
        # held by a survivor, and a checkpoint of theirs says it lived past the kill
        return all(leases[p] in ("n1", "n2") and now[p][1] > killed_at + 0.5
                   for p in victims)

    wait_for(all_running_again, timeout=15, interval=0.1,
             what="every pet of the killed node running again on the others")
    took = now_db(cluster.url) - killed_at
    print(f"\n{len(victims)} pets of a SIGKILLed node ran again after {took:.1f} s "
          f"(lease timeout {LEASE_TIMEOUT} s); life lost at most {max(lost.values()):.2f} s")
    # the gap was run: each taken-over pet's emulated clock reached the wall clock again
    after = states(cluster.url)
    for p in victims:
        tick0, at0 = before[p]
        tick1, at1 = after[p]
        assert abs((tick1 - tick0) / 32768 - (at1 - at0)) < 0.01  # emulated time = wall time
    cluster.wait_balanced(300, {"n1", "n2"}, timeout=60)
    assert len(cluster.leases()) == len(pets) == 300  # nobody lost
    assert check_history(cluster.url) > 0


def _moves(url: str, pets: list[str], new: set[str]) -> dict[str, float]:
    """For each pet now held by a node of ``new``: seconds between the last checkpoint
    written by another node (its hand-over) and the claim."""
    claims = {p: (node, since) for p, node, since in
              sql(url, "SELECT pet_id, node, since FROM pet_leases")}
    last_other: dict[str, float] = {}
    for _, pet, node, _, _, written in history(url):
        if pet in claims and node != claims[pet][0] and written <= claims[pet][1]:
            last_other[pet] = written
    return {p: claims[p][1] - last_other[p] for p in pets
            if claims[p][0] in new and p in last_other}


def test_a_new_node_takes_its_share_and_a_stopped_node_hands_its_pets_over(cluster):
    cluster.start("n1", "n2")
    cluster.sign_in("n1")
    cluster.create_pets("n1", 60)
    cluster.wait_balanced(60, {"n1", "n2"})

    cluster.start("n3")  # joins: the others hand over, it claims
    cluster.wait_balanced(60, {"n1", "n2", "n3"})
    leases = cluster.leases()
    joined = [p for p, node in leases.items() if node == "n3"]
    came = _moves(cluster.url, joined, {"n3"})
    assert set(came) == set(joined)
    print(f"\njoin: n3 took {len(joined)} pets, none run nowhere for more than "
          f"{max(came.values()):.2f} s")
    assert max(came.values()) < 1.0, came
    wait_for(lambda: all(states(cluster.url)[p][1] > now_db(cluster.url) - 5 for p in joined),
             what="n3 checkpointing its pets")

    stopped_at = time.monotonic()
    assert cluster.nodes["n3"].stop(signal.SIGTERM) in (0, -signal.SIGTERM)
    exited = time.monotonic() - stopped_at
    wait_for(lambda: all(cluster.leases()[p] in ("n1", "n2") for p in joined), timeout=30,
             interval=0.05, what="n3's pets on n1 and n2")
    gaps = _moves(cluster.url, joined, {"n1", "n2"})
    assert set(gaps) == set(joined), "every pet of n3 was checkpointed as it was handed over"
    print(f"\nSIGTERM: n3 exited after {exited:.2f} s; its {len(joined)} pets were run "
          f"nowhere for at most {max(gaps.values()):.2f} s")
    assert max(gaps.values()) < 2.0, gaps
    assert cluster.nodes["n3"].events("node_left")[-1]["released"] >= 0
    cluster.wait_balanced(60, {"n1", "n2"})
    check_history(cluster.url)


def test_a_frozen_node_wakes_up_fenced(cluster):
    cluster.start("n1", "n2", "n3")
    cluster.sign_in("n1")
    cluster.create_pets("n1", 60)
    cluster.wait_balanced(60, {"n1", "n2", "n3"})
    frozen = cluster.nodes["n2"]
    theirs = [p for p, node in cluster.leases().items() if node == "n2"]
    frozen.send(signal.SIGSTOP)
    try:
        # past its lease: the others take its pets (and write their checkpoints)
        wait_for(lambda: all(cluster.leases()[p] in ("n1", "n3") for p in theirs),
                 timeout=40, interval=0.1, what="n2's pets taken over while it is frozen")
        taken_at = now_db(cluster.url)
        wait_for(lambda: all(states(cluster.url)[p][1] > taken_at for p in theirs),
                 what="the new holders checkpointing n2's pets")
    finally:
        frozen.send(signal.SIGCONT)
    # awake: it tries to save what it ran before the freeze, the fence refuses every one
    # of those writes, it stops running those pets and comes back as a new member
    wait_for(lambda: frozen.events("leases_lost"), timeout=30, what="n2 noticing")
    fenced = sum(e["pets"] for e in frozen.events("checkpoint_fenced"))
    assert fenced > 0, "the woken node never tried a stale write: the test proved nothing"
    cluster.wait_balanced(60, {"n1", "n2", "n3"}, timeout=60)
    time.sleep(2 * CHECKPOINT)
    rows = check_history(cluster.url)
    stale = sql(cluster.url, "SELECT count(*) FROM checkpoint_history h WHERE node = 'n2' AND "
                             "EXISTS (SELECT 1 FROM checkpoint_history o WHERE o.pet_id = "
                             "h.pet_id AND o.epoch > h.epoch AND o.id < h.id)")[0][0]
    assert stale == 0
    print(f"\nSIGSTOP past the lease: {fenced} stale checkpoints refused, {rows} checkpoints "
          "checked")
