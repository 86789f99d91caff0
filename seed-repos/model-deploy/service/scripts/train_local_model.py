"""Train a small model and write it in the exact artifact contract of ModelBuild.

Usage:  python scripts/train_local_model.py [--data data/abalone-sample.csv] [--out model]
                                           [--rounds 50] [--package-arn ARN] [--version N]

Writes into --out the files the deploy build unpacks into service/model/:
``xgboost-model.json``, ``transform.json``, ``model-info.json`` and
``model-package.json``. Used by the tests, by the benchmark, and to run the
handler locally without a model from the registry.

The preprocessing is the training-time transform written independently of
``app/`` with plain numpy, as ModelBuild's preprocessing step does it:
population mean/std scaling of the numeric fields, then one-hot ``sex`` in
F, I, M order, computed in float64 and fed to xgboost as float32. The tests
compare the service's transform against ``training_features`` on the same rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys

import numpy as np
import xgboost

SERVICE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(SERVICE_DIR, "data", "abalone-sample.csv")
DEFAULT_OUT = os.path.join(SERVICE_DIR, "model")

TARGET = "rings"
NUMERIC_FIELDS = ["length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight"]
SEX_CATEGORIES = ["F", "I", "M"]
INPUT_FIELDS = ["sex"] + NUMERIC_FIELDS
FEATURE_NAMES = NUMERIC_FIELDS + [f"sex_{c}" for c in SEX_CATEGORIES]
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
DEFAULT_PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/abalone-local/1"


def read_records(path: str) -> list[dict]:
    """Rows of a headed CSV (make_sample.py's format) as request-style records plus ``rings``."""
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        expected = INPUT_FIELDS + [TARGET]
        if sorted(reader.fieldnames or []) != sorted(expected):
            raise ValueError(f"{path}: header {reader.fieldnames} does not have the columns {expected}")
        records = []
        for row in reader:
            record: dict = {"sex": row["sex"]}
            for field in NUMERIC_FIELDS:
                record[field] = float(row[field])
            record[TARGET] = float(row[TARGET])
            records.append(record)
    return records


def fit_transform(records: list[dict]) -> dict:
    """transform.json for these training rows (population std, as ModelBuild computes it)."""
    numeric = np.array([[r[f] for f in NUMERIC_FIELDS] for r in records], dtype=np.float64)
    means, stds = numeric.mean(axis=0), numeric.std(axis=0)
    return {
        "schema_version": 1,
        "target": TARGET,
        "input_fields": INPUT_FIELDS,
        "numeric": {f: {"mean": float(m), "std": float(s) if s > 0 else 1.0} for f, m, s in zip(NUMERIC_FIELDS, means, stds)},
        "categorical": {"sex": SEX_CATEGORIES},
        "feature_names": FEATURE_NAMES,
    }


def training_features(records: list[dict], transform: dict) -> np.ndarray:
    """The float32 feature matrix the model was trained on."""
    numeric = np.array([[r[f] for f in NUMERIC_FIELDS] for r in records], dtype=np.float64)
    means = np.array([transform["numeric"][f]["mean"] for f in NUMERIC_FIELDS])
    stds = np.array([transform["numeric"][f]["std"] for f in NUMERIC_FIELDS])
    sex = np.array([r["sex"] for r in records])
    one_hot = (sex[:, None] == np.array(SEX_CATEGORIES)[None, :]).astype(np.float64)
    return np.hstack([(numeric - means) / stds, one_hot]).astype(np.float32)


def train_model_dir(data_path: str, out_dir: str, rounds: int = DEFAULT_ROUNDS,
                    package_arn: str = DEFAULT_PACKAGE_ARN, version: int = 1) -> dict:
    """Train on every row of ``data_path`` and write the four artifact files; returns transform.json."""
    records = read_records(data_path)
    transform = fit_transform(records)
    features = training_features(records, transform)
    labels = np.array([r[TARGET] for r in records], dtype=np.float32)
    booster = xgboost.train(HYPERPARAMETERS, xgboost.DMatrix(features, label=labels, feature_names=FEATURE_NAMES),
                            num_boost_round=rounds)
    os.makedirs(out_dir, exist_ok=True)
    booster.save_model(os.path.join(out_dir, "xgboost-model.json"))
    files = {
        "transform.json": transform,
        "model-info.json": {"xgboost_version": xgboost.__version__, "model_file": "xgboost-model.json",
                            "transform_file": "transform.json", "feature_names": FEATURE_NAMES},
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
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--package-arn", default=DEFAULT_PACKAGE_ARN)
    parser.add_argument("--version", type=int, default=1)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    if not os.path.isfile(args.data):
        parser.error(f"--data {args.data} is not a file")
    try:
        train_model_dir(args.data, args.out, args.rounds, args.package_arn, args.version)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote model artifact to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
