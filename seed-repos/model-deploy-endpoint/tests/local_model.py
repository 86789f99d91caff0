"""The small model the tests train when no MODEL_ARTIFACT is given: data/*.csv in, model.tar.gz layout out.

It writes what ModelBuild writes (xgboost-model.json, transform.json schema version 2,
model-info.json), taking every field from the sample's header: the last column is the target,
a column with any value that is not a number is categorical (its values sorted), every other
column numeric. The numeric transform is ModelBuild's ``apply_transform`` (mean and population
std over the rows, a constant column scaled by 1); the accepted range and the examples follow
the input contract of issue 15 (see MARGIN_SPANS and synthesised_examples).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xgboost as xgb

import make_sample
from contract_records import training_features

# Accepted range = the observed range widened by MARGIN_SPANS times its span on each side, and never
# below 0 when every training value is >= 0 (a weight or a length cannot be negative). Must agree with
# ModelBuild's margin rule (RANGE_MARGIN in its preprocess.py), so the local model accepts what a deployed one does.
MARGIN_SPANS = 2.0
# Quantiles the synthesised examples take their numeric values from (one per example, cycled).
EXAMPLE_QUANTILES = (0.25, 0.5, 0.75)


def read_sample(path: Path) -> tuple[list[dict], str, list[str]]:
    """(rows as records with floats for numeric columns, target column, categorical columns)."""
    columns, raw = make_sample.read_rows(path, None)  # a header, equal-length rows, a numeric target last
    target = columns[-1]
    categorical = [c for i, c in enumerate(columns[:-1]) if not all(make_sample.is_number(row[i]) for row in raw)]
    rows = [{c: (v if c in categorical else float(v)) for c, v in zip(columns, row)} for row in raw]
    return rows, target, categorical


def accepted_range(values: np.ndarray) -> tuple[float, float]:
    low, high = float(values.min()), float(values.max())
    # A constant column has no span; its own size (at least 1) stands in, as in ModelBuild.
    span = high - low or max(abs(low), 1.0)
    minimum = low - MARGIN_SPANS * span
    if low >= 0:
        minimum = max(0.0, minimum)
    return minimum, high + MARGIN_SPANS * span


def synthesised_examples(rows: list[dict], numeric: list[str], categories: dict[str, list[str]],
                         fields: list[str]) -> list[dict]:
    """Examples made from per-field quantiles (no training row is copied into every deployed service),
    at least three and enough that every category of every categorical field appears."""
    count = max([len(EXAMPLE_QUANTILES)] + [len(values) for values in categories.values()])
    examples = []
    for i in range(count):
        quantile = EXAMPLE_QUANTILES[i % len(EXAMPLE_QUANTILES)]
        example = {}
        for field in fields:
            if field in categories:
                example[field] = categories[field][i % len(categories[field])]
            else:
                # "nearest": a value seen in training, so inside the observed range whatever the margin.
                example[field] = float(np.quantile([r[field] for r in rows], quantile, method="nearest"))
        examples.append(example)
    return examples


def fit_transform(rows: list[dict], target: str, categorical: list[str]) -> dict:
    fields = [c for c in rows[0] if c != target]
    numeric = [f for f in fields if f not in categorical]
    categories = {f: sorted({r[f] for r in rows}) for f in categorical}
    stats = {}
    for field in numeric:
        values = np.array([r[field] for r in rows], dtype=np.float64)
        std = float(values.std())
        minimum, maximum = accepted_range(values)
        stats[field] = {"mean": float(values.mean()), "std": std if std > 0 else 1.0,
                        "minimum": minimum, "maximum": maximum,
                        "observed_minimum": float(values.min()), "observed_maximum": float(values.max())}
    return {
        "schema_version": 2,
        "target": target,
        "input_fields": fields,
        "numeric": stats,
        "categorical": categories,
        "feature_names": numeric + [f"{f}_{v}" for f in categorical for v in categories[f]],
        "examples": synthesised_examples(rows, numeric, categories, fields),
    }


def write_artifact(directory: Path, sample_csv: Path) -> Path:
    rows, target, categorical = read_sample(sample_csv)
    transform = fit_transform(rows, target, categorical)
    features = training_features(rows, transform)
    labels = np.array([r[target] for r in rows], dtype=np.float32)
    names = transform["feature_names"]
    booster = xgb.train({"objective": "reg:squarederror", "max_depth": 3, "eta": 0.3, "nthread": 1, "seed": 0},
                        xgb.DMatrix(features, label=labels, feature_names=names), num_boost_round=20)
    directory.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(directory / "xgboost-model.json"))
    (directory / "transform.json").write_text(json.dumps(transform), encoding="utf-8")
    (directory / "model-info.json").write_text(json.dumps({
        "xgboost_version": xgb.__version__,
        "model_file": "xgboost-model.json",
        "transform_file": "transform.json",
        "feature_names": names,
    }), encoding="utf-8")
    return directory
