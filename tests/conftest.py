"""Shared fixtures: the seed documents shipped in the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from compare import Document, read_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session")
def seeds() -> dict[str, Document]:
    """The five seed documents, keyed by their number ("000" ... "004")."""
    return {path.name[:3]: read_document(path) for path in sorted(SEEDS.glob("*.txt"))}
