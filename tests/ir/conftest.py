"""Fixtures for the IR tests: the shared test vectors and the fake transceiver.

Vectors live in ``$PYGOTCHI_SHARED/ir/vectors`` (default ``../shared`` from the
repository root). Tests that need them are skipped, with the reason shown, when
they are absent; everything else runs anyway.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("PYGOTCHI_SHARED", REPO.parent / "shared"))
VECTORS = SHARED / "ir" / "vectors"


def vector_file(name: str) -> Path:
    path = VECTORS / name
    if not path.is_file():
        pytest.skip(f"IR test vector {name} not found in {VECTORS} (set PYGOTCHI_SHARED)")
    return path


def load_vectors(name: str) -> Any:
    return json.loads(vector_file(name).read_text(encoding="utf-8"))


def vectors_or_empty(name: str, key: str) -> list[Any]:
    """For parametrisation at collection time: [] (and a skip later) when absent."""
    path = VECTORS / name
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))[key]


@pytest.fixture
def messages() -> list[dict[str, Any]]:
    return load_vectors("connection2024_messages.json")["messages"]


@pytest.fixture
def raw_captures() -> dict[str, Any]:
    return load_vectors("raw_captures.json")
