"""A tiny synthetic fjord, written as OSM data with pyosmium, for the ferry tests.

    detour road (~55 km, primary)
    D1 ------------------------- D2
    |                            |
    W1 -- W2 ~~~~ ferry ~~~~ E1 -- E2          island I ~~ ferry ~~ W1
                 (20 min)

West and east shore are linked by a 20-minute ferry and by a long road round the fjord's head;
the island is reached only by ferry.
"""

from __future__ import annotations

from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Way

from ambulant.travel import Point

# (lat, lon) of every node; ids are their index + 1.
NODES: dict[str, tuple[float, float]] = {
    "W1": (63.400, 10.000),
    "W2": (63.400, 10.020),
    "E1": (63.400, 10.060),
    "E2": (63.400, 10.080),
    "D1": (63.640, 10.000),
    "D2": (63.640, 10.080),
    "I1": (63.370, 10.000),
    "I2": (63.370, 10.010),
}
ROADS = [["W1", "W2"], ["E1", "E2"], ["W1", "D1", "D2", "E2"], ["I1", "I2"]]
FERRIES = [(["W2", "E1"], "00:20"), (["I1", "W1"], "00:15")]

WEST = Point(63.4001, 10.005)
EAST = Point(63.4001, 10.075)
ISLAND = Point(63.3701, 10.006)


def write_ferry_network(path: Path) -> Path:
    ids = {name: i + 1 for i, name in enumerate(NODES)}
    with osmium.SimpleWriter(str(path)) as writer:
        for name, (lat, lon) in NODES.items():
            writer.add_node(Node(id=ids[name], location=(lon, lat), version=1))
        way_id = 1
        for names in ROADS:
            tags = {"highway": "primary", "name": "-".join(names)}
            writer.add_way(Way(id=way_id, nodes=[ids[n] for n in names], tags=tags, version=1))
            way_id += 1
        for names, duration in FERRIES:
            tags = {"route": "ferry", "motor_vehicle": "yes", "duration": duration}
            writer.add_way(Way(id=way_id, nodes=[ids[n] for n in names], tags=tags, version=1))
            way_id += 1
    return path
