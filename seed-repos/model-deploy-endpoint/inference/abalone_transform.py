"""The training-time feature transform, read from transform.json in the model artifact.

Contract (schema_version 1, written by the ModelBuild preprocessing step)::

    {"schema_version": 1, "target": "rings", "input_fields": ["sex", "length", ...],
     "numeric": {"length": {"mean": m, "std": s}, ...}, "categorical": {"sex": ["F", "I", "M"]},
     "feature_names": ["length", ..., "shell_weight", "sex_F", "sex_I", "sex_M"]}

Numeric field -> ``(x - mean) / std``; categorical field -> one-hot column
``<field>_<category>``; columns in ``feature_names`` order; float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

SCHEMA_VERSION = 1


class TransformFileError(ValueError):
    """transform.json is malformed or inconsistent (a broken model artifact, not a client error)."""


@dataclass(frozen=True)
class FeatureTransform:
    input_fields: tuple[str, ...]
    numeric_fields: tuple[str, ...]
    categories: Mapping[str, tuple[str, ...]]  # categorical field -> allowed values
    feature_names: tuple[str, ...]
    mean: np.ndarray  # float64, one per numeric field
    std: np.ndarray   # float64, one per numeric field

    def features(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The float32 model input for already validated records."""
        column = {name: i for i, name in enumerate(self.feature_names)}
        out = np.zeros((len(records), len(self.feature_names)), dtype=np.float32)
        if not records:
            return out
        numeric = np.array([[float(r[f]) for f in self.numeric_fields] for r in records], dtype=np.float64)
        # Division in float64, then one cast: the same arithmetic as the training step.
        out[:, [column[f] for f in self.numeric_fields]] = (numeric - self.mean) / self.std
        for field in self.categories:
            for row, record in enumerate(records):
                out[row, column[f"{field}_{record[field]}"]] = 1.0
        return out


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise TransformFileError(f"transform.json: {message}")


def parse_transform(doc: Any) -> FeatureTransform:
    _require(isinstance(doc, dict), "must hold a JSON object")
    _require(doc.get("schema_version") == SCHEMA_VERSION,
             f"schema_version is {doc.get('schema_version')!r}; this code reads {SCHEMA_VERSION}")
    fields, numeric, categorical, names = (doc.get(k) for k in ("input_fields", "numeric", "categorical", "feature_names"))
    _require(isinstance(fields, list) and fields and all(isinstance(f, str) for f in fields)
             and len(set(fields)) == len(fields), "input_fields must be a non-empty list of distinct strings")
    _require(isinstance(numeric, dict) and isinstance(categorical, dict), "numeric and categorical must be objects")
    _require(set(numeric) | set(categorical) == set(fields) and not set(numeric) & set(categorical),
             "every input field must be in exactly one of numeric/categorical")
    numeric_fields = tuple(f for f in fields if f in numeric)
    means, stds = [], []
    for field in numeric_fields:
        stats = numeric[field]
        _require(isinstance(stats, dict), f"numeric.{field} must be an object")
        for key in ("mean", "std"):
            value = stats.get(key)
            _require(type(value) in (int, float) and math.isfinite(value), f"numeric.{field}.{key} must be a finite number")
        _require(stats["std"] > 0, f"numeric.{field}.std must be > 0")
        means.append(float(stats["mean"]))
        stds.append(float(stats["std"]))
    categories = {}
    for field in (f for f in fields if f in categorical):
        values = categorical[field]
        _require(isinstance(values, list) and values and all(isinstance(v, str) for v in values)
                 and len(set(values)) == len(values), f"categorical.{field} must be a non-empty list of distinct strings")
        categories[field] = tuple(values)
    derived = list(numeric_fields) + [f"{f}_{v}" for f, values in categories.items() for v in values]
    _require(isinstance(names, list) and sorted(derived) == sorted(names),
             f"feature_names {names!r} do not match the derived features {derived!r}")
    return FeatureTransform(
        input_fields=tuple(fields),
        numeric_fields=numeric_fields,
        categories=categories,
        feature_names=tuple(names),
        mean=np.array(means, dtype=np.float64),
        std=np.array(stds, dtype=np.float64),
    )
