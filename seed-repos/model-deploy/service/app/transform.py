"""The model's input contract and training-time feature transform, read from ``transform.json``.

ModelBuild writes this file into the model artifact; it is the one source of the
service's input fields, categories and accepted ranges. Contract (schema_version 2)::

    {"schema_version": 2, "target": "rings",
     "input_fields": ["sex", "length", ...],
     "numeric": {"length": {"mean": m, "std": s, "minimum": lo, "maximum": hi,
                            "observed_minimum": a, "observed_maximum": b}, ...},
     "categorical": {"sex": ["F", "I", "M"]},
     "feature_names": ["length", ..., "sex_F", "sex_I", "sex_M"],
     "examples": [{"sex": "M", "length": 0.455, ...}, ...]}

Each numeric field becomes ``(x - mean) / std``; each categorical field becomes
one column ``<field>_<category>`` per listed category (one-hot). Columns are
placed in ``feature_names`` order and the matrix is float32. Requests with a
value outside ``[minimum, maximum]`` are refused (ModelBuild derives the range
from the training split with a margin); ``examples`` are valid request records.
Nothing here is specific to Abalone: every name and number comes from the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

SUPPORTED_SCHEMA_VERSION = 2
# Every numeric field's entry; minimum/maximum bound requests, observed_* record the training split's range.
NUMERIC_KEYS = ("mean", "std", "minimum", "maximum", "observed_minimum", "observed_maximum")


class TransformError(ValueError):
    """transform.json is malformed or inconsistent."""


@dataclass(frozen=True)
class Transform:
    input_fields: tuple[str, ...]
    numeric_fields: tuple[str, ...]
    categorical_fields: tuple[str, ...]
    categories: Mapping[str, tuple[str, ...]]
    feature_names: tuple[str, ...]
    mean: np.ndarray            # float64, one per numeric field
    std: np.ndarray             # float64, one per numeric field
    numeric_columns: np.ndarray  # int, output column of each numeric field
    category_columns: Mapping[str, Mapping[str, int]]  # field -> category -> output column
    numeric_slice: slice | None  # numeric_columns as a slice when they are consecutive and in order
    numeric_plan: tuple[tuple[float, float, int], ...]  # (mean, std, output column) per numeric field, as Python values
    minimum: np.ndarray          # float64, the lowest accepted value of each numeric field
    maximum: np.ndarray          # float64, the highest accepted value of each numeric field

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    def apply(self, numeric: np.ndarray, category_columns: Sequence[np.ndarray]) -> np.ndarray:
        """Build the float32 feature matrix.

        ``numeric`` is an (n, len(numeric_fields)) float64 array of raw values;
        ``category_columns[j]`` holds, per record, the output column of the one-hot
        1.0 for categorical field j (already validated).
        """
        n = numeric.shape[0]
        out = np.zeros((n, self.n_features), dtype=np.float32)
        # Division, not multiplication by 1/std: bit-identical to the training-time features.
        scaled = (numeric - self.mean) / self.std
        if self.numeric_slice is not None:  # the usual layout; a slice is cheaper than fancy indexing
            out[:, self.numeric_slice] = scaled
        else:
            out[:, self.numeric_columns] = scaled
        if category_columns:
            rows = np.arange(n)
            for cols in category_columns:
                out[rows, cols] = 1.0
        return out

    def apply_records(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Reference (slow, obviously correct) transform of already-valid records."""
        out = np.zeros((len(records), self.n_features), dtype=np.float32)
        index = {name: i for i, name in enumerate(self.feature_names)}
        for r, record in enumerate(records):
            for j, field in enumerate(self.numeric_fields):
                out[r, index[field]] = (float(record[field]) - self.mean[j]) / self.std[j]
            for field in self.categorical_fields:
                out[r, index[f"{field}_{record[field]}"]] = 1.0
        return out


def _is_finite_number(value: Any) -> bool:
    """A JSON number (not a boolean) that a double holds: json.loads gives NaN/Infinity and 400-digit integers too."""
    if type(value) is int:
        return abs(value) <= 1.7976931348623157e308
    return type(value) is float and math.isfinite(value)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise TransformError(message)


def parse_transform(doc: Any) -> Transform:
    _require(isinstance(doc, dict), "transform.json must hold a JSON object")
    version = doc.get("schema_version")
    _require(version == SUPPORTED_SCHEMA_VERSION,
             f"transform.json schema_version is {version!r}; this service reads version {SUPPORTED_SCHEMA_VERSION} "
             "(input bounds and example records in the artifact): retrain the model with the current ModelBuild pipeline")
    for key in ("input_fields", "numeric", "categorical", "feature_names", "examples"):
        _require(key in doc, f"transform.json lacks {key!r}")
    input_fields = doc["input_fields"]
    numeric = doc["numeric"]
    categorical = doc["categorical"]
    feature_names = doc["feature_names"]
    _require(isinstance(input_fields, list) and input_fields and all(isinstance(f, str) for f in input_fields),
             "transform.json input_fields must be a non-empty list of strings")
    _require(len(set(input_fields)) == len(input_fields), "transform.json input_fields has duplicates")
    _require(isinstance(numeric, dict) and isinstance(categorical, dict),
             "transform.json numeric and categorical must be objects")
    _require(isinstance(feature_names, list) and all(isinstance(f, str) for f in feature_names),
             "transform.json feature_names must be a list of strings")
    _require(len(set(feature_names)) == len(feature_names), "transform.json feature_names has duplicates")
    _require(set(numeric) | set(categorical) == set(input_fields) and not set(numeric) & set(categorical),
             "transform.json: every input field must be in exactly one of numeric/categorical, and nothing else")

    numeric_fields = tuple(f for f in input_fields if f in numeric)
    categorical_fields = tuple(f for f in input_fields if f in categorical)
    means, stds, lows, highs = [], [], [], []
    for field in numeric_fields:
        stats = numeric[field]
        _require(isinstance(stats, dict), f"transform.json numeric.{field} must be an object")
        for name in NUMERIC_KEYS:
            value = stats.get(name)
            _require(_is_finite_number(value), f"transform.json numeric.{field}.{name} must be a finite number, got {value!r}")
        _require(stats["std"] > 0, f"transform.json numeric.{field}.std must be > 0, got {stats['std']!r}")
        _require(stats["minimum"] <= stats["maximum"],
                 f"transform.json numeric.{field}: minimum {stats['minimum']!r} is above maximum {stats['maximum']!r}")
        _require(stats["observed_minimum"] <= stats["observed_maximum"],
                 f"transform.json numeric.{field}: observed_minimum {stats['observed_minimum']!r} is above "
                 f"observed_maximum {stats['observed_maximum']!r}")
        means.append(float(stats["mean"]))
        stds.append(float(stats["std"]))
        lows.append(float(stats["minimum"]))
        highs.append(float(stats["maximum"]))

    categories: dict[str, tuple[str, ...]] = {}
    for field in categorical_fields:
        values = categorical[field]
        _require(isinstance(values, list) and values and all(isinstance(v, str) for v in values)
                 and len(set(values)) == len(values),
                 f"transform.json categorical.{field} must be a non-empty list of distinct strings")
        categories[field] = tuple(values)
    bounds = dict(zip(numeric_fields, zip(lows, highs)))
    # Checked, not kept: the service never serves them; the deploy build's smoke test sends them.
    _check_examples(doc["examples"], input_fields, bounds, categories)
    target = doc.get("target")
    _require(target is None or (isinstance(target, str) and target not in input_fields),
             f"transform.json target must be a string that is not an input field, got {target!r}")

    # Where each derived feature goes: feature_names decides the column order.
    derived = list(numeric_fields) + [f"{f}_{v}" for f in categorical_fields for v in categories[f]]
    _require(sorted(derived) == sorted(feature_names),
             f"transform.json feature_names {feature_names} do not match the features derived from "
             f"input_fields/numeric/categorical {derived}")
    column = {name: i for i, name in enumerate(feature_names)}
    numeric_columns = [column[f] for f in numeric_fields]
    consecutive = numeric_columns == list(range(numeric_columns[0], numeric_columns[0] + len(numeric_columns))) if numeric_columns else False
    return Transform(
        input_fields=tuple(input_fields),
        numeric_fields=numeric_fields,
        categorical_fields=categorical_fields,
        categories=categories,
        feature_names=tuple(feature_names),
        mean=np.array(means, dtype=np.float64),
        std=np.array(stds, dtype=np.float64),
        numeric_columns=np.array(numeric_columns, dtype=np.intp),
        category_columns={f: {v: column[f"{f}_{v}"] for v in categories[f]} for f in categorical_fields},
        numeric_slice=slice(numeric_columns[0], numeric_columns[-1] + 1) if consecutive else None,
        numeric_plan=tuple(zip(means, stds, numeric_columns)),
        minimum=np.array(lows, dtype=np.float64),
        maximum=np.array(highs, dtype=np.float64),
    )


def _check_examples(examples: Any, input_fields: list, bounds: Mapping[str, tuple[float, float]],
                    categories: Mapping[str, tuple[str, ...]]) -> None:
    """Each example record must be a request this service accepts."""
    _require(isinstance(examples, list) and examples and all(isinstance(e, dict) for e in examples),
             "transform.json examples must be a non-empty list of records (objects)")
    for i, example in enumerate(examples):
        where = f"transform.json examples[{i}]"
        _require(set(example) == set(input_fields),
                 f"{where} must have exactly the input fields {input_fields}; "
                 f"missing {[f for f in input_fields if f not in example]}, extra {sorted(set(example) - set(input_fields))}")
        for field, value in example.items():
            if field in bounds:
                lo, hi = bounds[field]
                _require(_is_finite_number(value) and lo <= value <= hi,
                         f"{where}.{field} is {value!r}; it must be a number between {lo!r} and {hi!r}")
            else:
                _require(isinstance(value, str) and value in categories[field],
                         f"{where}.{field} is {value!r}; it must be one of {list(categories[field])}")
