"""Where the public benchmark files are: the AMBULANT_BENCHMARKS_DIR setting (by default
../shared/benchmarks beside the repository)."""

from __future__ import annotations

from pathlib import Path

from ambulant.config import Settings

BENCHMARKS = Settings().benchmarks_dir
SOLOMON = BENCHMARKS / "solomon"
GH = BENCHMARKS / "gehring_homberger"
MANKOWSKA = BENCHMARKS / "hhc_mankowska2014"
BRKGA = MANKOWSKA / "brkga_best_solutions"


def solomon(name: str) -> Path:
    return SOLOMON / f"{name}.vrp"


def mankowska(size: int, number: int) -> Path:
    kind = "CPLEX" if size < 100 else "VNS"
    path = MANKOWSKA / f"Instanz{kind}_HCSRP_{size}_{number}.txt"
    return path if path.exists() else path.with_name(path.name + ".gz")


def brkga_pairs() -> list[tuple[Path, Path]]:
    """(instance, BRKGA best solution) for every `solution-N-I-S.txt` shipped."""
    pairs = []
    for solution in sorted(BRKGA.glob("solution-*.txt")):
        _, size, number, _seed = solution.stem.split("-")
        pairs.append((mankowska(int(size), int(number)), solution))
    return pairs
