"""Request records and training features derived from a model's input contract (its transform.json).

The tests build every request from the model they serve, so the same suite checks a model with
any fields: nothing here names one.
"""

from __future__ import annotations

import random
from typing import Any, Mapping, Sequence

import numpy as np


def training_features(rows: Sequence[Mapping[str, Any]], transform: Mapping[str, Any]) -> np.ndarray:
    """The features as the ModelBuild preprocessing step computes them: column-wise numpy in float64
    (``(x - mean) / std``, one-hot ``<field>_<value>``), in ``feature_names`` order, then one cast."""
    columns = []
    for name in transform["feature_names"]:
        if name in transform["numeric"]:
            stats = transform["numeric"][name]
            values = np.array([r[name] for r in rows], dtype=np.float64)
            columns.append((values - stats["mean"]) / stats["std"])
            continue
        field, value = next((f, v) for f, values in transform["categorical"].items() for v in values
                            if f"{f}_{v}" == name)
        columns.append(np.array([r[field] == value for r in rows], dtype=np.float64))
    return np.stack(columns, axis=1).astype(np.float32)


def without(record: Mapping[str, Any], field: str) -> dict:
    return {k: v for k, v in record.items() if k != field}


def replaced(record: Mapping[str, Any], field: str, value: Any) -> dict:
    return {**record, field: value}


def synthesised(contract, count: int, seed: int = 0) -> list[dict]:
    """The contract's examples, then random valid records: numbers uniform in the observed range,
    categories uniform among the model's, so every record is one the model accepts."""
    rng = random.Random(seed)
    records = [dict(e) for e in contract.examples][:count]
    while len(records) < count:
        records.append({f: (rng.choice(contract.categories[f]) if f in contract.categories
                            else rng.uniform(*contract.observed[f])) for f in contract.input_fields})
    return records
