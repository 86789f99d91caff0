"""Evaluation step: score the trained model on the test split and write evaluation.json.

Runs as a SageMaker Processing job on the SageMaker XGBoost 3.0-5 image (one
self-contained file; the xgboost that scores is the one that trained) and, unchanged,
in the tests.

evaluation.json follows the SageMaker model-quality layout for regression, so the model
registry shows it as the model package's metrics and the pipeline's condition step reads
``regression_metrics.mse.value``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Dict, Sequence

import numpy as np
import xgboost as xgb

EVALUATION_FILE = "evaluation.json"
MODEL_INFO_FILE = "model-info.json"


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> Dict[str, Any]:
    """MSE, RMSE, MAE and R² with the per-row spread where it means something."""
    y_true = np.asarray(y_true, dtype=np.float64)
    errors = np.asarray(y_pred, dtype=np.float64) - y_true
    squared = errors**2
    mse = float(squared.mean())
    total = float(((y_true - y_true.mean()) ** 2).sum())
    return {
        "regression_metrics": {
            "mse": {"value": mse, "standard_deviation": float(squared.std())},
            "rmse": {"value": float(np.sqrt(mse))},
            "mae": {"value": float(np.abs(errors).mean()), "standard_deviation": float(np.abs(errors).std())},
            "r2": {"value": 1.0 - float(squared.sum()) / total if total > 0 else 0.0},
        }
    }


class EvaluationInputError(ValueError):
    """The model archive or the test split is missing or not what train.py / preprocess.py write."""


def load_model(model_archive: "str | os.PathLike[str]") -> xgb.Booster:
    """Load the booster from model.tar.gz as written by train.py (no pickle involved)."""
    if not os.path.isfile(model_archive):
        raise EvaluationInputError(f"{model_archive}: model archive not found")
    try:
        archive = tarfile.open(model_archive, "r:gz")
    except tarfile.TarError as error:
        raise EvaluationInputError(f"{model_archive}: not a gzipped tar archive ({error})") from None
    with tempfile.TemporaryDirectory() as scratch, archive:
        # `tar czf model.tar.gz -C model .` stores "./model-info.json"; `tar czf ... *` and SageMaker store
        # "model-info.json": both name the same file.
        members = {_member_name(member.name): member for member in archive.getmembers() if member.isfile()}
        if MODEL_INFO_FILE not in members:
            raise EvaluationInputError(f"{model_archive}: no {MODEL_INFO_FILE}; was it written by train.py?")
        try:
            model_info = json.load(archive.extractfile(members[MODEL_INFO_FILE]))  # type: ignore[arg-type]
            model_file = _member_name(model_info["model_file"])
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise EvaluationInputError(f"{model_archive}: {MODEL_INFO_FILE} is not what train.py writes ({error!r})") from None
        if model_file not in members:
            raise EvaluationInputError(f"{model_archive}: {MODEL_INFO_FILE} names {model_file}, which is missing")
        target = os.path.join(scratch, "model.json")
        with archive.extractfile(members[model_file]) as source, open(target, "wb") as copy:  # type: ignore[union-attr]
            copy.write(source.read())
        booster = xgb.Booster()
        try:
            booster.load_model(target)
        except xgb.core.XGBoostError as error:
            raise EvaluationInputError(f"{model_archive}: {model_file} is not an XGBoost model ({str(error).splitlines()[0]})") from None
        return booster


def _member_name(name: str) -> str:
    """An archive member's path without leading "./" segments."""
    while name.startswith("./"):
        name = name[2:]
    return name


def evaluate(
    model_archive: "str | os.PathLike[str]",
    test_dir: "str | os.PathLike[str]",
    output_dir: "str | os.PathLike[str]",
) -> Dict[str, Any]:
    booster = load_model(model_archive)
    files = sorted(Path(test_dir).glob("*.csv"))
    if not files:
        raise EvaluationInputError(f"{test_dir}: no .csv file with test data")
    try:
        data = np.concatenate([np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2) for f in files])
    except ValueError as error:
        raise EvaluationInputError(f"{test_dir}: not a numeric CSV written by preprocess.py ({error})") from None
    if data.shape[1] != booster.num_features() + 1:
        raise EvaluationInputError(
            f"{test_dir}: rows have {data.shape[1] - 1} features, the model expects {booster.num_features()}")
    predictions = booster.inplace_predict(data[:, 1:].astype(np.float32))
    report = regression_metrics(data[:, 0], predictions)
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / EVALUATION_FILE).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def main(argv: "Sequence[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="/opt/ml/processing/model/model.tar.gz")
    parser.add_argument("--test-dir", default="/opt/ml/processing/test")
    parser.add_argument("--output-dir", default="/opt/ml/processing/evaluation")
    args = parser.parse_args(argv)
    try:
        metrics = evaluate(args.model, args.test_dir, args.output_dir)["regression_metrics"]
    except EvaluationInputError as error:
        raise SystemExit(f"evaluate: bad input: {error}") from None
    print(
        f"evaluate: mse={metrics['mse']['value']:.4f} "
        f"rmse={metrics['rmse']['value']:.4f} mae={metrics['mae']['value']:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
