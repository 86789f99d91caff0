"""Training step: fit an XGBoost regressor on the preprocessed Abalone splits.

Runs in script mode in the SageMaker XGBoost framework container 3.0-5 (one
self-contained file) and, unchanged, on a laptop or in the tests: every location
defaults to the SM_* environment variable SageMaker sets, and can be given as an option.

Writes into the model directory (SageMaker packs it as model.tar.gz):

- ``xgboost-model.json``: the booster in XGBoost's own JSON format (no pickle), holding
  exactly the trees used for prediction (trimmed to the best early-stopping iteration);
- ``transform.json``: the preprocessing transform, copied unchanged from the transform channel;
- ``model-info.json``: the xgboost version that trained the model, the two file names and
  the feature names, so the serving side can check it runs the same xgboost.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, Sequence, Tuple

import numpy as np
import xgboost as xgb

MODEL_FILE = "xgboost-model.json"
TRANSFORM_FILE = "transform.json"
MODEL_INFO_FILE = "model-info.json"

# The one place the hyperparameters live: each key can be overridden as --name value (SageMaker passes
# an estimator's hyperparameters that way), and every key reaches xgboost.train, except the two
# LOOP_PARAMETERS, which drive the boosting loop. A key xgboost does not use stops training with its name.
DEFAULT_HYPERPARAMETERS: Dict[str, Any] = {
    "objective": "reg:squarederror",
    "num_round": 300,
    "early_stopping_rounds": 20,
    "max_depth": 5,
    "eta": 0.1,
    "gamma": 4.0,
    "min_child_weight": 6.0,
    "subsample": 0.7,
    "tree_method": "hist",
    "seed": 42,
}
LOOP_PARAMETERS = ("num_round", "early_stopping_rounds")
# Not a hyperparameter: early stopping watches it and the summary reports it.
EVAL_METRIC = "rmse"


# Inclusive ranges, checked before training starts (xgboost itself accepts eta and subsample of 0,
# which learn nothing); xgboost checks the bounds of every other parameter.
HYPERPARAMETER_RANGES: Dict[str, Tuple[float, float]] = {
    "num_round": (1, 100_000),
    "early_stopping_rounds": (1, 100_000),
    "max_depth": (1, 64),
    "eta": (1e-6, 1.0),
    "gamma": (0.0, 1e6),
    "min_child_weight": (0.0, 1e6),
    "subsample": (1e-6, 1.0),
}


class TrainingInputError(ValueError):
    """An input channel is missing or does not hold what preprocess.py writes."""


class HyperparameterError(ValueError):
    """A hyperparameter xgboost does not use, or a value it refuses."""


def load_split(channel_dir: "str | os.PathLike[str]", expected_features: int) -> Tuple[np.ndarray, np.ndarray]:
    """Read every .csv in a channel directory: target first, then features, no header."""
    directory = Path(channel_dir)
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise TrainingInputError(f"{directory}: no .csv file in this channel")
    try:
        data = np.concatenate([np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2) for f in files])
    except ValueError as error:
        raise TrainingInputError(f"{directory}: not a numeric CSV written by preprocess.py ({error})") from None
    if data.shape[1] != expected_features + 1:
        raise TrainingInputError(
            f"{directory}: rows have {data.shape[1] - 1} features, the transform defines "
            f"{expected_features}: preprocessing and training are out of step"
        )
    return data[:, 1:], data[:, 0]


def xgboost_params(hyperparameters: Dict[str, Any]) -> Dict[str, Any]:
    """Every hyperparameter except the loop's own goes to xgboost as is, plus the fixed eval metric."""
    if "eval_metric" in hyperparameters:
        raise HyperparameterError(f"eval_metric is fixed to {EVAL_METRIC!r}: early stopping and the log read it")
    params = {name: value for name, value in hyperparameters.items() if name not in LOOP_PARAMETERS}
    params["eval_metric"] = EVAL_METRIC
    return params


def _fit(hyperparameters: Dict[str, Any], dtrain: xgb.DMatrix, dval: xgb.DMatrix) -> Tuple[xgb.Booster, Dict]:
    """xgb.train with early stopping; a parameter xgboost ignores or refuses is an error, not a warning."""
    evals_result: Dict[str, Dict[str, list]] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            booster = xgb.train(
                xgboost_params(hyperparameters),
                dtrain,
                num_boost_round=hyperparameters["num_round"],
                evals=[(dtrain, "train"), (dval, "validation")],
                early_stopping_rounds=hyperparameters["early_stopping_rounds"],
                evals_result=evals_result,
                verbose_eval=10,
            )
        except xgb.core.XGBoostError as error:
            # e.g. "value 1.5 for Parameter colsample_bytree exceed bound [0,1]": its first line says it all.
            raise HyperparameterError(str(error).strip().splitlines()[0]) from None
    # xgboost only warns about a parameter it does not know (learner.cc: 'Parameters: { "x" } are not used.').
    for warning in caught:
        text = str(warning.message)
        if "are not used" in text:
            unused = text[text.index("{") + 1 : text.index("}")].replace('"', "").strip()
            raise HyperparameterError(f"xgboost does not use hyperparameter(s) {unused}: misspelt or not an xgboost parameter")
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return booster, evals_result


def train(
    train_dir: "str | os.PathLike[str]",
    validation_dir: "str | os.PathLike[str]",
    transform_dir: "str | os.PathLike[str]",
    model_dir: "str | os.PathLike[str]",
    hyperparameters: Dict[str, Any],
) -> Dict[str, Any]:
    """Train, then write the model, transform and model info into ``model_dir``.

    Returns a summary for the log: xgboost version, number of trees, validation RMSE.
    """
    transform_path = Path(transform_dir) / TRANSFORM_FILE
    try:
        transform = json.loads(transform_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TrainingInputError(f"{transform_path}: missing; the transform channel must hold preprocess.py's output") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TrainingInputError(f"{transform_path}: not valid JSON ({error})") from None
    feature_names = list(transform["feature_names"])

    x_train, y_train = load_split(train_dir, len(feature_names))
    x_val, y_val = load_split(validation_dir, len(feature_names))
    # float32 is what the model sees at serving time too.
    dtrain = xgb.DMatrix(x_train.astype(np.float32), label=y_train, feature_names=feature_names)
    dval = xgb.DMatrix(x_val.astype(np.float32), label=y_val, feature_names=feature_names)

    booster, evals_result = _fit(hyperparameters, dtrain, dval)
    best_iteration = int(booster.best_iteration)
    # Keep only the trees that early stopping chose, so any reader predicts with all trees.
    booster = booster[: best_iteration + 1]

    out = Path(model_dir)
    out.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out / MODEL_FILE))
    shutil.copyfile(transform_path, out / TRANSFORM_FILE)
    model_info = {
        "xgboost_version": xgb.__version__,
        "model_file": MODEL_FILE,
        "transform_file": TRANSFORM_FILE,
        "feature_names": feature_names,
    }
    (out / MODEL_INFO_FILE).write_text(json.dumps(model_info, indent=2) + "\n", encoding="utf-8")
    return {
        "xgboost_version": xgb.__version__,
        "num_trees": best_iteration + 1,
        "validation_rmse": float(evals_result["validation"]["rmse"][best_iteration]),
    }


def _unknown_arguments_message(unknown: Sequence[str], known: Sequence[str]) -> str:
    """Name each unknown option, with the likely intended one (a dash for an underscore, a typo)."""
    options = [arg.split("=", 1)[0] for arg in unknown if arg.startswith("-")]
    if not options:
        return f"unexpected argument(s): {' '.join(unknown)}"
    named = []
    for option in options:
        spelled = "--" + option.lstrip("-").replace("-", "_")
        guess = spelled if spelled in known else next(iter(difflib.get_close_matches(option, known, n=1)), None)
        named.append(f"{option} (did you mean {guess}?)" if guess else option)
    return (f"unknown hyperparameter(s) or option(s): {', '.join(named)}; the hyperparameters are the keys of "
            f"DEFAULT_HYPERPARAMETERS in train.py (add one there to make it tunable)")


def parse_args(argv: "Sequence[str] | None" = None) -> argparse.Namespace:
    # No abbreviations: "--sub 0.5" must not quietly mean --subsample.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    for name, default in DEFAULT_HYPERPARAMETERS.items():
        parser.add_argument(f"--{name}", type=type(default), default=default)
    # Locations: SageMaker sets these environment variables in the training container.
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    for name in ("train", "validation", "transform"):
        parser.add_argument(
            f"--{name}",
            default=os.environ.get(f"SM_CHANNEL_{name.upper()}", f"/opt/ml/input/data/{name}"),
        )
    # Everything on the command line is ours: the container passes only the estimator's
    # hyperparameters, never its sagemaker_* ones (sagemaker_containers/_env.py, TrainingEnv:
    # split_by_criteria(prefix="sagemaker_"); to_cmd_args() maps the rest to --name value).
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        known = [option for action in parser._actions for option in action.option_strings if option.startswith("--")]
        parser.error(_unknown_arguments_message(unknown, known))
    for name, (low, high) in HYPERPARAMETER_RANGES.items():
        if name not in DEFAULT_HYPERPARAMETERS:  # removed from the defaults: xgboost's own default applies
            continue
        value = getattr(args, name)
        if not low <= value <= high:
            parser.error(f"--{name} must be between {low:g} and {high:g}, got {value:g}")
    return args


def main(argv: "Sequence[str] | None" = None) -> int:
    args = parse_args(argv)
    hyperparameters = {name: getattr(args, name) for name in DEFAULT_HYPERPARAMETERS}
    try:
        summary = train(args.train, args.validation, args.transform, args.model_dir, hyperparameters)
    except TrainingInputError as error:
        raise SystemExit(f"train: bad input: {error}") from None
    except HyperparameterError as error:
        raise SystemExit(f"train: bad hyperparameter: {error}") from None
    print(
        f"train: xgboost {summary['xgboost_version']}, {summary['num_trees']} trees, "
        f"validation-rmse:{summary['validation_rmse']:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
