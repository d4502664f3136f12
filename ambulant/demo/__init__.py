"""The demo: synthetic regions to seed a database with, and a check that their work is plannable."""

from ambulant.demo.capacity import CapacityEstimate, estimate_capacity
from ambulant.demo.generator import SeedSummary, extend_region, is_seeded, seed_region
from ambulant.demo.region_spec import RegionFileError, RegionSpec, available_regions, load_region

__all__ = [
    "CapacityEstimate",
    "RegionFileError",
    "RegionSpec",
    "SeedSummary",
    "available_regions",
    "estimate_capacity",
    "extend_region",
    "is_seeded",
    "load_region",
    "seed_region",
]
