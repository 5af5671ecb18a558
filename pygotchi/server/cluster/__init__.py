"""Several server processes (nodes) sharing the pets of one PostgreSQL database.

``scheduler.py`` runs only the pets this node holds a lease on and fences its
checkpoints by lease epoch; ``member.py`` heartbeats, claims and hands over
leases so the pets spread evenly over the live nodes; ``relay.py`` carries live
views, buttons and commands to the node that runs a pet, over PostgreSQL
``LISTEN/NOTIFY``. The SQL is in ``pygotchi/store/cluster.py``. With SQLite
(one process) none of this runs: the plain scheduler holds every pet.
"""
