"""The model's input contract and feature transform, read from transform.json in the model artifact.

transform.json is written by the ModelBuild preprocessing step and is the one source of truth
for what a request holds; nothing here names a field. Schema version 2::

    {"schema_version": 2, "target": "<label>", "input_fields": [<request field order>],
     "numeric": {"<field>": {"mean": m, "std": s, "minimum": lo, "maximum": hi,
                             "observed_minimum": a, "observed_maximum": b}, ...},
     "categorical": {"<field>": ["<value>", ...]},
     "feature_names": [<numeric fields>, "<field>_<value>", ...],
     "examples": [{<every input field>: <valid value>}, ...]}

``minimum``..``maximum`` is the accepted range of a numeric field (a request outside gets 400);
``observed_*`` is the range seen in the training split. Numeric field -> ``(x - mean) / std``;
categorical field -> one-hot column ``<field>_<value>``; columns in ``feature_names`` order;
float32. The examples are checked against the contract when the request validator is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping, Sequence

import numpy as np

SCHEMA_VERSION = 2
RETRAIN_HINT = "retrain and register the model with the current ModelBuild, whose preprocessing step writes it"


class TransformFileError(ValueError):
    """transform.json is malformed or inconsistent (a broken model artifact, not a client error)."""


@dataclass(frozen=True)
class FeatureTransform:
    target: str
    input_fields: tuple[str, ...]
    numeric_fields: tuple[str, ...]
    categories: Mapping[str, tuple[str, ...]]  # categorical field -> allowed values
    feature_names: tuple[str, ...]
    mean: np.ndarray  # float64, one per numeric field
    std: np.ndarray   # float64, one per numeric field
    bounds: Mapping[str, tuple[float, float]]    # numeric field -> accepted (minimum, maximum)
    observed: Mapping[str, tuple[float, float]]  # numeric field -> range seen in training
    examples: tuple[Mapping[str, Any], ...]      # valid request records

    # Where each input lands among feature_names: worked out once per model, not on every request.
    @cached_property
    def _numeric_columns(self) -> list[int]:
        return [self.feature_names.index(f) for f in self.numeric_fields]

    @cached_property
    def _category_columns(self) -> dict[str, dict[str, int]]:
        return {field: {value: self.feature_names.index(f"{field}_{value}") for value in values}
                for field, values in self.categories.items()}

    def features(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The float32 model input for already validated records."""
        out = np.zeros((len(records), len(self.feature_names)), dtype=np.float32)
        if not records:
            return out
        if self.numeric_fields:
            numeric = np.array([[float(r[f]) for f in self.numeric_fields] for r in records], dtype=np.float64)
            # Division in float64, then one cast: the same arithmetic as the training step.
            out[:, self._numeric_columns] = (numeric - self.mean) / self.std
        rows = np.arange(len(records))
        for field, columns in self._category_columns.items():
            out[rows, [columns[record[field]] for record in records]] = 1.0
        return out


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise TransformFileError(f"transform.json: {message}")


def _finite(stats: Mapping[str, Any], field: str, key: str) -> float:
    value = stats.get(key)
    _require(type(value) in (int, float) and math.isfinite(value), f"numeric.{field}.{key} must be a finite number")
    return float(value)


def _distinct_strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value) and len(set(value)) == len(value)


def parse_transform(doc: Any) -> FeatureTransform:
    _require(isinstance(doc, dict), "must hold a JSON object")
    version = doc.get("schema_version")
    _require(version == SCHEMA_VERSION,
             f"schema_version is {version!r}; this deploy code reads {SCHEMA_VERSION} only: {RETRAIN_HINT}")
    fields, numeric, categorical, names = (doc.get(k) for k in ("input_fields", "numeric", "categorical", "feature_names"))
    _require(isinstance(doc.get("target"), str) and doc["target"], "target must be the name of the label, a string")
    _require(_distinct_strings(fields), "input_fields must be a non-empty list of distinct strings")
    _require(doc["target"] not in fields, f"target {doc['target']!r} must not be an input field")
    _require(isinstance(numeric, dict) and isinstance(categorical, dict), "numeric and categorical must be objects")
    _require(set(numeric) | set(categorical) == set(fields) and not set(numeric) & set(categorical),
             "every input field must be in exactly one of numeric/categorical")
    numeric_fields = tuple(f for f in fields if f in numeric)
    means, stds, bounds, observed = [], [], {}, {}
    for field in numeric_fields:
        stats = numeric[field]
        _require(isinstance(stats, dict), f"numeric.{field} must be an object")
        mean, std = (_finite(stats, field, key) for key in ("mean", "std"))
        _require(std > 0, f"numeric.{field}.std must be > 0")
        low, high, seen_low, seen_high = (_finite(stats, field, key) for key in
                                          ("minimum", "maximum", "observed_minimum", "observed_maximum"))
        _require(low <= high, f"numeric.{field}: minimum {low!r} is greater than maximum {high!r}")
        _require(low <= seen_low <= seen_high <= high,
                 f"numeric.{field}: the observed range {seen_low!r}..{seen_high!r} must lie within minimum..maximum "
                 f"{low!r}..{high!r}")
        means.append(mean)
        stds.append(std)
        bounds[field] = (low, high)
        observed[field] = (seen_low, seen_high)
    categories = {}
    for field in (f for f in fields if f in categorical):
        _require(_distinct_strings(categorical[field]), f"categorical.{field} must be a non-empty list of distinct strings")
        categories[field] = tuple(categorical[field])
    derived = list(numeric_fields) + [f"{f}_{v}" for f, values in categories.items() for v in values]
    _require(isinstance(names, list) and sorted(derived) == sorted(names) and len(set(names)) == len(names),
             f"feature_names {names!r} do not match the derived features {derived!r}")
    examples = doc.get("examples")
    _require(isinstance(examples, list) and examples and all(isinstance(e, dict) for e in examples),
             "examples must be a non-empty list of request records (objects)")
    return FeatureTransform(
        target=doc["target"],
        input_fields=tuple(fields),
        numeric_fields=numeric_fields,
        categories=categories,
        feature_names=tuple(names),
        mean=np.array(means, dtype=np.float64),
        std=np.array(stds, dtype=np.float64),
        bounds=bounds,
        observed=observed,
        examples=tuple(examples),
    )
