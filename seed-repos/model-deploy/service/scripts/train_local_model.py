"""Train a small model and write it in the exact artifact contract of ModelBuild.

Usage:  python scripts/train_local_model.py [--data data/abalone-sample.csv] [--out model]
                                           [--target rings] [--rounds 50] [--package-arn ARN] [--version N]

Writes into --out the files the deploy build unpacks into service/model/:
``xgboost-model.json``, ``transform.json`` (schema_version 2), ``model-info.json``
and ``model-package.json``. Used by the tests, by the benchmark, and to run the
handler locally without a model from the registry.

The CSV's header names the columns; every column but --target is an input
field, in the header's order. A column whose cells are all numbers is numeric,
any other is categorical (its categories sorted). Nothing here names an
Abalone field: a CSV with a column fewer or more trains a model with that input
contract, which is how the tests check that the service follows the artifact.

The preprocessing is the training-time transform written independently of
``app/`` with plain numpy, as ModelBuild's preprocessing step does it:
population mean/std scaling of the numeric fields, then one-hot categorical
fields, computed in float64 and fed to xgboost as float32. The tests compare the
service's transform against ``training_features`` on the same rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from dataclasses import dataclass

import numpy as np
import xgboost

SERVICE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(SERVICE_DIR, "data", "abalone-sample.csv")
DEFAULT_OUT = os.path.join(SERVICE_DIR, "model")
DEFAULT_TARGET = "rings"
TRANSFORM_SCHEMA_VERSION = 2

# The accepted range of a numeric field, from its observed range [lo, hi] and span = hi - lo:
# [lo - MARGIN * span, hi + MARGIN * span], the lower end clipped at 0 when every training
# value is >= 0 (a length or a weight is never negative). This must agree with the rule of
# ModelBuild's preprocessing step (RANGE_MARGIN in its preprocess.py), or the
# local test model would accept other values than a registered one.
BOUNDS_MARGIN = 2.0
# How many example records transform.json carries (at least one per category, within these).
MIN_EXAMPLES, MAX_EXAMPLES = 3, 5

# ModelBuild's hyperparameter style (pipelines/abalone/train.py), with fewer
# rounds and no early stopping so a test model trains in well under a second.
HYPERPARAMETERS = {
    "objective": "reg:squarederror",
    "max_depth": 5,
    "eta": 0.1,
    "gamma": 4.0,
    "min_child_weight": 6.0,
    "subsample": 0.7,
    "tree_method": "hist",
    "seed": 42,
    # One thread: OpenMP threads spin-wait and crawl on a busy 2-core CI machine.
    "nthread": 1,
}
DEFAULT_ROUNDS = 50
DEFAULT_PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/local-model/1"


@dataclass(frozen=True)
class Table:
    """A headed training CSV: its input fields by kind, and its rows as request-style records plus the target."""
    target: str
    input_fields: list[str]
    numeric_fields: list[str]
    categories: dict[str, list[str]]  # categorical field -> its sorted categories
    records: list[dict]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_table(path: str, target: str = DEFAULT_TARGET) -> Table:
    """The rows of a headed CSV (make_sample.py's format), each column typed by its cells."""
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        rows = [row for row in reader if row]
    if not header:
        raise ValueError(f"{path}: empty file; expected a header row naming the columns")
    if len(set(header)) != len(header) or "" in header:
        raise ValueError(f"{path}: header {header} has empty or repeated column names")
    if target not in header:
        raise ValueError(f"{path}: header {header} has no target column {target!r} (set --target)")
    if len(header) < 2:
        raise ValueError(f"{path}: no input columns besides the target {target!r}")
    if len(rows) < 2:
        raise ValueError(f"{path}: needs at least 2 data rows, has {len(rows)}")
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"{path}: a row has {len(row)} values, the header {len(header)} (first such row: {row!r})")
        if any(cell == "" for cell in row):
            raise ValueError(f"{path}: a row has an empty cell: {row!r}")
    columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    parsed = {name: [_number(cell) for cell in cells] for name, cells in columns.items()}
    if None in parsed[target]:
        raise ValueError(f"{path}: the target column {target!r} must hold only finite numbers")
    input_fields = [name for name in header if name != target]
    numeric_fields = [name for name in input_fields if None not in parsed[name]]
    categories = {name: sorted(set(columns[name])) for name in input_fields if name not in numeric_fields}
    records = []
    for r in range(len(rows)):
        record = {name: parsed[name][r] if name in numeric_fields else columns[name][r] for name in input_fields}
        record[target] = parsed[target][r]
        records.append(record)
    return Table(target, input_fields, numeric_fields, categories, records)


def read_records(path: str, target: str = DEFAULT_TARGET) -> list[dict]:
    """The rows of a headed CSV as request-style records plus the target."""
    return read_table(path, target).records


def accepted_range(observed_minimum: float, observed_maximum: float) -> tuple[float, float]:
    """The range requests may use, from the range seen in training (see BOUNDS_MARGIN)."""
    # A constant column has no span; its own size (at least 1) stands in, as in ModelBuild.
    span = observed_maximum - observed_minimum or max(abs(observed_minimum), 1.0)
    minimum = observed_minimum - BOUNDS_MARGIN * span
    if observed_minimum >= 0:
        minimum = max(minimum, 0.0)
    return minimum, observed_maximum + BOUNDS_MARGIN * span


def rounded(value: float, lo: float, hi: float) -> float:
    """``value`` to 4 significant digits (an example a person can read), kept within [lo, hi]."""
    return min(max(float(f"{value:.4g}"), lo), hi)


def example_records(table: Table, numeric: dict) -> list[dict]:
    """Synthesised valid requests: per-field quantiles (25th..75th percentile) and every category in turn.

    No training row is copied, so no row of the training data is shipped in every deployed service.
    """
    count = min(MAX_EXAMPLES, max([MIN_EXAMPLES] + [len(c) for c in table.categories.values()]))
    quantiles = np.linspace(0.25, 0.75, count)
    examples = []
    for k, q in enumerate(quantiles):
        example: dict = {}
        for field in table.input_fields:
            if field in table.categories:
                categories = table.categories[field]
                example[field] = categories[k % len(categories)]
            else:
                stats = numeric[field]
                value = float(np.quantile([r[field] for r in table.records], q))
                example[field] = rounded(value, stats["minimum"], stats["maximum"])
        examples.append(example)
    return examples


def fit_transform(table: Table) -> dict:
    """transform.json (schema_version 2) for these training rows (population std, as ModelBuild computes it)."""
    values = np.array([[r[f] for f in table.numeric_fields] for r in table.records], dtype=np.float64)
    numeric = {}
    for j, field in enumerate(table.numeric_fields):
        column = values[:, j]
        lo, hi = float(column.min()), float(column.max())
        minimum, maximum = accepted_range(lo, hi)
        std = float(column.std())
        numeric[field] = {"mean": float(column.mean()), "std": std if std > 0 else 1.0,
                          "minimum": minimum, "maximum": maximum, "observed_minimum": lo, "observed_maximum": hi}
    categorical_fields = [f for f in table.input_fields if f in table.categories]
    feature_names = table.numeric_fields + [f"{f}_{c}" for f in categorical_fields for c in table.categories[f]]
    return {
        "schema_version": TRANSFORM_SCHEMA_VERSION,
        "target": table.target,
        "input_fields": table.input_fields,
        "numeric": numeric,
        "categorical": {f: table.categories[f] for f in categorical_fields},
        "feature_names": feature_names,
        "examples": example_records(table, numeric),
    }


def training_features(records: list[dict], transform: dict) -> np.ndarray:
    """The float32 feature matrix the model was trained on, columns in ``feature_names`` order."""
    columns: dict[str, np.ndarray] = {}
    for field, stats in transform["numeric"].items():
        raw = np.array([r[field] for r in records], dtype=np.float64)
        columns[field] = (raw - stats["mean"]) / stats["std"]
    for field, categories in transform["categorical"].items():
        values = np.array([r[field] for r in records])
        for category in categories:
            columns[f"{field}_{category}"] = (values == category).astype(np.float64)
    return np.stack([columns[name] for name in transform["feature_names"]], axis=1).astype(np.float32)


def train_model_dir(data_path: str, out_dir: str, rounds: int = DEFAULT_ROUNDS,
                    package_arn: str = DEFAULT_PACKAGE_ARN, version: int = 1, target: str = DEFAULT_TARGET) -> dict:
    """Train on every row of ``data_path`` and write the four artifact files; returns transform.json."""
    table = read_table(data_path, target)
    transform = fit_transform(table)
    features = training_features(table.records, transform)
    labels = np.array([r[target] for r in table.records], dtype=np.float32)
    feature_names = transform["feature_names"]
    booster = xgboost.train(HYPERPARAMETERS, xgboost.DMatrix(features, label=labels, feature_names=feature_names),
                            num_boost_round=rounds)
    os.makedirs(out_dir, exist_ok=True)
    booster.save_model(os.path.join(out_dir, "xgboost-model.json"))
    files = {
        "transform.json": transform,
        "model-info.json": {"xgboost_version": xgboost.__version__, "model_file": "xgboost-model.json",
                            "transform_file": "transform.json", "feature_names": feature_names},
        "model-package.json": {"packageArn": package_arn, "version": version},
    }
    for name, content in files.items():
        with open(os.path.join(out_dir, name), "w") as handle:
            json.dump(content, handle, indent=2)
            handle.write("\n")
    return transform


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DEFAULT_DATA, help="headed CSV as written by make_sample.py")
    parser.add_argument("--out", default=DEFAULT_OUT, help="model directory to write")
    parser.add_argument("--target", default=DEFAULT_TARGET, help=f"the label column (default {DEFAULT_TARGET})")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--package-arn", default=DEFAULT_PACKAGE_ARN)
    parser.add_argument("--version", type=int, default=1)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    if not os.path.isfile(args.data):
        parser.error(f"--data {args.data} is not a file")
    try:
        train_model_dir(args.data, args.out, args.rounds, args.package_arn, args.version, args.target)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote model artifact to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
