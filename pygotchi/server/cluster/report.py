"""What operators see of a cluster: one report for ``GET /api/cluster`` and
``python -m pygotchi cluster``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pygotchi.store import cluster as cluster_store


def report(s: Session, this_node: str | None, lease_timeout: float) -> dict:
    """Nodes on file (newest heartbeat first is not promised: by name), with heartbeat
    age, pets held, load and whether their lease still holds; pets no node runs."""
    now = cluster_store.db_now(s)
    nodes = []
    for n in cluster_store.nodes(s):
        nodes.append({
            "name": n.name, "host": n.host, "pid": n.pid,
            "heartbeat_age_s": round(max(0.0, now - n.heartbeat_at), 2),
            "alive": n.expires_at > now and not n.leaving, "leaving": n.leaving,
            "pets": n.pets, "load": round(n.load, 3),
            "up_s": round(max(0.0, now - n.started_at), 1), "this": n.name == this_node})
    return {"mode": "cluster", "node": this_node, "lease_timeout_s": lease_timeout,
            "pets": cluster_store.count_pets(s), "unclaimed": cluster_store.unclaimed(s, now),
            "nodes": nodes}


def single(pets: int, running: int, name: str) -> dict:
    """One process on SQLite holds every pet: the same shape, one node."""
    return {"mode": "single", "node": name, "lease_timeout_s": None, "pets": pets,
            "unclaimed": 0, "nodes": [{
                "name": name, "host": name.rsplit("-", 1)[0], "pid": int(name.rsplit("-", 1)[1]),
                "heartbeat_age_s": 0.0, "alive": True, "leaving": False, "pets": running,
                "load": None, "up_s": None, "this": True}]}


def render(data: dict) -> str:
    """The report as text for a terminal."""
    lines = []
    if data["mode"] == "single":
        lines.append(f"one server process (SQLite): it runs all {data['pets']} pets")
    else:
        lines.append(f"{data['pets']} pets, {data['unclaimed']} run by no live node; "
                     f"lease timeout {data['lease_timeout_s']} s")
    lines.append(f"{'node':<28} {'host':<20} {'pid':>7} {'heartbeat':>10} {'pets':>7} "
                 f"{'load':>6}  state")
    for n in data["nodes"]:
        state = "leaving" if n["leaving"] else "alive" if n["alive"] else "expired"
        load = "-" if n["load"] is None else f"{n['load']:.2f}"
        mark = " *" if n["this"] else ""
        lines.append(f"{n['name'][:28]:<28} {n['host'][:20]:<20} {n['pid']:>7} "
                     f"{n['heartbeat_age_s']:>9.1f}s {n['pets']:>7} {load:>6}  {state}{mark}")
    return "\n".join(lines)
