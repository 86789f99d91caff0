"""Preprocessing step: validate the input CSV, split it, and fit the feature transform.

Runs as a SageMaker Processing job in the scikit-learn processing container (one
self-contained file: numpy and the standard library only, so any container with numpy
will do) and, unchanged, in the tests.

The model's inputs are defined here and only here: ``FEATURES`` below. Training, evaluation and
serving (``inference.py``, and the ModelDeploy repository) read them from ``transform.json``.

Outputs, under ``--output-dir``:

- ``train/train.csv``, ``validation/validation.csv``, ``test/test.csv``: no header,
  the target (``TARGET``) first, then the transformed features in ``feature_names`` order;
  floats written with 17 significant digits, so they read back bit for bit.
- ``transform/transform.json`` (schema version 2): the model's input contract (fields and their
  order, categories, the accepted range of each number, example requests) and everything needed
  to turn a raw record into the model's input (one-hot categories, numeric scaling). Training
  copies it into model.tar.gz and every serving side applies it, so training and serving cannot
  disagree. The split files are produced *from this document* by ``apply_transform``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np


@dataclass(frozen=True)
class Numeric:
    """A number column, standardised for the model. ``at_least``: the smallest value the data may hold."""

    at_least: Optional[float] = None


@dataclass(frozen=True)
class Categorical:
    """A text column, one-hot encoded in the order of ``categories`` (matched case-insensitively)."""

    categories: Tuple[str, ...]


# ----------------------------------------------------------------------- configuration
# The model's inputs, in request order: the one place that defines them. Each is a column of the
# input CSV, named by its header. Drop a line to drop a feature; add one (with the column in your
# data) to add one. The model's clients then send exactly these fields (see README, "Add or drop a
# feature"). Columns of the data that are not listed here are read past.
FEATURES: Dict[str, Union[Numeric, Categorical]] = {
    "sex": Categorical(("F", "I", "M")),
    "length": Numeric(at_least=0.0),
    "diameter": Numeric(at_least=0.0),
    "height": Numeric(at_least=0.0),
    "whole_weight": Numeric(at_least=0.0),
    "shucked_weight": Numeric(at_least=0.0),
    "viscera_weight": Numeric(at_least=0.0),
    "shell_weight": Numeric(at_least=0.0),
}
TARGET = "rings"
# The margin rule for the range a served model accepts, per numeric field: with the training
# split's span = max - min, it accepts [min - RANGE_MARGIN * span, max + RANGE_MARGIN * span],
# but never below 0 when every training value is >= 0 (nor below the field's at_least). Requests
# outside get a 400. 2.0 accepts every row of the UCI Abalone file, whose height 1.13 is 2.2 times
# the training split's largest (a margin of 1.0 would refuse that row of the test split), and still
# refuses a value in the wrong unit (a length of 455 for 0.455).
RANGE_MARGIN = 2.0
# ---------------------------------------------------------------------------------------

# A file without a header line is read as the UCI Abalone file lays out its columns.
HEADERLESS_COLUMNS = ("sex", "length", "diameter", "height", "whole_weight", "shucked_weight",
                      "viscera_weight", "shell_weight", "rings")
TRANSFORM_SCHEMA_VERSION = 2
TRANSFORM_FILE = "transform.json"
SPLITS = ("train", "validation", "test")
# Accepted bounds are rounded outward to this many significant digits, so error messages read well.
BOUND_DIGITS = 4
# The contract asks for 3 to 5 example requests; more only if a categorical field has more categories.
MIN_EXAMPLES = 3

DEFAULT_INPUT = "/opt/ml/processing/input"
DEFAULT_OUTPUT_DIR = "/opt/ml/processing"

Features = Mapping[str, Union[Numeric, Categorical]]


class InputDataError(ValueError):
    """The input data cannot be used; the message says where and why."""


class FeatureConfigError(ValueError):
    """FEATURES (or RANGE_MARGIN) cannot describe a model's inputs; the message names the entry."""


@dataclass(frozen=True)
class Dataset:
    """Raw, validated rows (no transform applied), one array per column."""

    numeric: Dict[str, np.ndarray]  # field -> float64 values
    categorical: Dict[str, np.ndarray]  # field -> values (object array of str)
    target: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.target)

    def take(self, indices: np.ndarray) -> "Dataset":
        return Dataset(
            numeric={name: values[indices] for name, values in self.numeric.items()},
            categorical={name: values[indices] for name, values in self.categorical.items()},
            target=self.target[indices],
        )


def numeric_fields(features: Features) -> List[str]:
    return [name for name, kind in features.items() if isinstance(kind, Numeric)]


def categorical_fields(features: Features) -> List[str]:
    return [name for name, kind in features.items() if isinstance(kind, Categorical)]


def feature_names(features: Features) -> List[str]:
    """The model's columns: the numeric fields in order, then each category of each categorical field."""
    return numeric_fields(features) + [
        f"{name}_{category}" for name in categorical_fields(features) for category in features[name].categories
    ]


def check_features(features: Features, margin: float = RANGE_MARGIN) -> None:
    """Refuse a FEATURES table that would build an ambiguous or empty model input."""
    if not features:
        raise FeatureConfigError("FEATURES is empty: the model needs at least one input")
    for name, kind in features.items():
        if not isinstance(name, str) or not name or name != name.strip().lower() or "," in name:
            raise FeatureConfigError(f"FEATURES: {name!r} is not a usable column name (lower case, no comma or spaces around)")
        if name == TARGET:
            raise FeatureConfigError(f"FEATURES: {name!r} is the target, not an input")
        if isinstance(kind, Categorical):
            folded = [str(c).lower() for c in kind.categories]
            if not kind.categories or not all(isinstance(c, str) and c.strip() == c and c for c in kind.categories):
                raise FeatureConfigError(f"FEATURES[{name!r}]: categories must be non-empty strings without surrounding spaces")
            if len(set(folded)) != len(folded):
                raise FeatureConfigError(f"FEATURES[{name!r}]: categories repeat (they are matched case-insensitively)")
        elif isinstance(kind, Numeric):
            if kind.at_least is not None and not math.isfinite(kind.at_least):
                raise FeatureConfigError(f"FEATURES[{name!r}]: at_least must be a finite number or None")
        else:
            raise FeatureConfigError(f"FEATURES[{name!r}]: must be Numeric(...) or Categorical((...)), got {kind!r}")
    names = feature_names(features)
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise FeatureConfigError(f"FEATURES: the model column(s) {', '.join(clashes)} would come from two fields")
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin >= 0):
        raise FeatureConfigError(f"RANGE_MARGIN must be a finite number >= 0, got {margin!r}")


# --------------------------------------------------------------------------- reading


def _csv_files(source: Path) -> List[Path]:
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        if not files:
            raise InputDataError(f"{source}: no .csv file in this directory")
        return files
    if not source.is_file():
        raise InputDataError(f"{source}: no such file or directory")
    return [source]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _column_positions(names: Sequence[str], wanted: Sequence[str], where: str, header: bool) -> Dict[str, int]:
    """Position of each wanted column among ``names``; every problem named at once."""
    missing = [c for c in wanted if c not in names]
    duplicated = [c for c in wanted if names.count(c) > 1]  # a repeated column read past is harmless
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if duplicated:
        problems.append("duplicated column(s): " + ", ".join(duplicated))
    if problems:
        if not header:
            raise InputDataError(
                f"{where}: no header line, so the columns are read as the UCI Abalone file's "
                f"({', '.join(HEADERLESS_COLUMNS)}), which lack {', '.join(missing)}: add a header line naming the columns")
        raise InputDataError(f"{where}: header {'; '.join(problems)} (needed: {', '.join(wanted)})")
    return {c: names.index(c) for c in wanted}


def _number(text: str, column: str, where: str, at_least: Optional[float]) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputDataError(f"{where}, column '{column}': {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise InputDataError(f"{where}, column '{column}': {text.strip()!r} is not a finite number")
    if at_least is not None and value < at_least:
        raise InputDataError(f"{where}, column '{column}': {value!r} is below {at_least!r}, the least it may be")
    return value


def read_csv(source: "str | os.PathLike[str]", features: Features = FEATURES) -> Dataset:
    """Read and validate rows from a CSV file, or from every .csv file in a directory.

    Files are comma separated, with a header line naming the columns (any order, other columns
    are read past), or without one in the UCI Abalone column order. Raises InputDataError
    naming the file, line and column of the first problem.
    """
    check_features(features)
    wanted = [*features, TARGET]
    columns: Dict[str, list] = {name: [] for name in wanted}
    lookups = {name: {c.lower(): c for c in kind.categories}
               for name, kind in features.items() if isinstance(kind, Categorical)}
    files = _csv_files(Path(source))
    for path in files:
        with open(path, newline="", encoding="utf-8") as handle:
            positions: Optional[Dict[str, int]] = None
            width = 0
            for line_no, row in enumerate(csv.reader(handle), start=1):
                if not row or all(not field.strip() for field in row):
                    continue
                where = f"{path.name} line {line_no}"
                if positions is None:
                    # A header is a first line without a single number in it.
                    header = not any(_is_number(field) for field in row)
                    names = [name.strip().lower() for name in row] if header else list(HEADERLESS_COLUMNS)
                    positions, width = _column_positions(names, wanted, where, header), len(names)
                    if header:
                        continue
                if len(row) != width:
                    raise InputDataError(f"{where}: expected {width} fields, got {len(row)}")
                for name, kind in features.items():
                    text = row[positions[name]].strip()
                    if isinstance(kind, Categorical):
                        value = lookups[name].get(text.lower())
                        if value is None:
                            raise InputDataError(f"{where}, column '{name}': unknown value {text!r} "
                                                 f"(expected one of {', '.join(kind.categories)})")
                        columns[name].append(value)
                    else:
                        columns[name].append(_number(text, name, where, kind.at_least))
                columns[TARGET].append(_number(row[positions[TARGET]], TARGET, where, None))
    if not columns[TARGET]:
        raise InputDataError(
            f"{', '.join(str(p) for p in files)}: no data rows (the file is empty or has only a header)")
    return Dataset(
        numeric={name: np.asarray(columns[name], dtype=np.float64) for name in numeric_fields(features)},
        categorical={name: np.asarray(columns[name], dtype=object) for name in categorical_fields(features)},
        target=np.asarray(columns[TARGET], dtype=np.float64),
    )


# --------------------------------------------------------------------------- splitting


# The split every run and test uses unless told otherwise (the pipeline passes no split arguments).
DEFAULT_SEED = 42
DEFAULT_VALIDATION_FRACTION = 0.15
DEFAULT_TEST_FRACTION = 0.15


def split_indices(
    n_rows: int, seed: int, validation_fraction: float, test_fraction: float
) -> Dict[str, np.ndarray]:
    """Shuffle row indices with a seeded generator and cut them into train/validation/test."""
    if not (0 < validation_fraction < 1 and 0 < test_fraction < 1):
        raise ValueError("validation and test fractions must each be between 0 and 1")
    if validation_fraction + test_fraction >= 1:
        raise ValueError("validation + test fractions must leave rows for training")
    n_validation = int(round(n_rows * validation_fraction))
    n_test = int(round(n_rows * test_fraction))
    n_train = n_rows - n_validation - n_test
    if min(n_train, n_validation, n_test) < 1:
        raise InputDataError(
            f"{n_rows} data rows are too few to split into train/validation/test "
            f"with fractions {1 - validation_fraction - test_fraction:g}/"
            f"{validation_fraction:g}/{test_fraction:g}"
        )
    order = np.random.default_rng(seed).permutation(n_rows)
    return {
        "train": np.sort(order[:n_train]),
        "validation": np.sort(order[n_train : n_train + n_validation]),
        "test": np.sort(order[n_train + n_validation :]),
    }


# --------------------------------------------------------------------------- transform


def split_dataset(
    data: Dataset,
    seed: int = DEFAULT_SEED,
    validation_fraction: float = DEFAULT_VALIDATION_FRACTION,
    test_fraction: float = DEFAULT_TEST_FRACTION,
) -> Dict[str, Dataset]:
    """The rows of each split ("train", "validation", "test"), as :func:`split_indices` assigns them."""
    return {name: data.take(idx) for name, idx in split_indices(len(data), seed, validation_fraction, test_fraction).items()}


def _round_outward(value: float, up: bool) -> float:
    """``value`` to BOUND_DIGITS significant digits, rounded away from the accepted range's inside."""
    if value == 0:
        return 0.0
    exact = Decimal(repr(value))
    step = Decimal(1).scaleb(exact.adjusted() - (BOUND_DIGITS - 1))
    return float(exact.quantize(step, rounding=ROUND_CEILING if up else ROUND_FLOOR))


def accepted_range(values: np.ndarray, margin: float = RANGE_MARGIN, at_least: Optional[float] = None) -> Tuple[float, float]:
    """The margin rule (see RANGE_MARGIN): the range a served model accepts for one numeric field."""
    low, high = float(values.min()), float(values.max())
    # A constant column has no span; its own size (at least 1) stands in, so it still has a margin.
    span = high - low if high > low else max(abs(low), 1.0)
    minimum = _round_outward(low - margin * span, up=False)
    maximum = _round_outward(high + margin * span, up=True)
    if low >= 0:
        minimum = max(minimum, 0.0)
    if at_least is not None:
        minimum = max(minimum, at_least)
    return minimum, maximum


def _examples(train: Dataset, features: Features, numeric: Mapping[str, Mapping[str, float]]) -> List[Dict[str, Any]]:
    """Example requests synthesised from per-field quantiles of the training split (no training row is
    copied): example i takes each number at quantile (i + 1) / (n + 1), and the categories in turn,
    so together they cover every category."""
    categories = [features[name].categories for name in categorical_fields(features)]
    count = max([MIN_EXAMPLES, *(len(c) for c in categories)])
    examples = []
    for i in range(count):
        level = (i + 1) / (count + 1)
        record: Dict[str, Any] = {}
        for name, kind in features.items():
            if isinstance(kind, Categorical):
                record[name] = kind.categories[i % len(kind.categories)]
            else:
                value = float(f"{float(np.quantile(train.numeric[name], level)):.{BOUND_DIGITS}g}")
                record[name] = min(max(value, numeric[name]["minimum"]), numeric[name]["maximum"])
        examples.append(record)
    return examples


def fit_transform(train: Dataset, features: Features = FEATURES, margin: float = RANGE_MARGIN) -> Dict[str, Any]:
    """Fit the feature transform on the training rows only; return the transform.json document.

    The layout is the contract shared with every serving side (see README, "The model artifact"):
    change it only together with them, and with a new schema_version.
    """
    check_features(features, margin)
    numeric: Dict[str, Dict[str, float]] = {}
    for name in numeric_fields(features):
        values = train.numeric[name]
        std = float(values.std())  # population std (ddof=0)
        minimum, maximum = accepted_range(values, margin, features[name].at_least)
        numeric[name] = {
            "mean": float(values.mean()),
            # A constant column would divide by zero; scaling by 1 keeps it a harmless constant.
            "std": std if std > 0 else 1.0,
            "minimum": minimum,
            "maximum": maximum,
            "observed_minimum": float(values.min()),
            "observed_maximum": float(values.max()),
        }
    return {
        "schema_version": TRANSFORM_SCHEMA_VERSION,
        "target": TARGET,
        "input_fields": list(features),
        "numeric": numeric,
        "categorical": {name: list(features[name].categories) for name in categorical_fields(features)},
        "feature_names": feature_names(features),
        "examples": _examples(train, features, numeric),
    }


def apply_transform(transform: Mapping[str, Any], data: Dataset) -> np.ndarray:
    """Turn raw rows into model features, using only the transform document.

    Returns float64 of shape (n, len(feature_names)); the model reads it as float32.
    """
    columns = [np.zeros((len(data), 0))]
    for name, spec in transform["numeric"].items():
        columns.append(((data.numeric[name] - spec["mean"]) / spec["std"])[:, None])
    for name, categories in transform["categorical"].items():
        values = data.categorical[name]
        columns.append(np.stack([(values == c) for c in categories], axis=1).astype(np.float64))
    features = np.concatenate(columns, axis=1)
    if features.shape[1] != len(transform["feature_names"]):
        raise ValueError("transform document is inconsistent: feature_names does not match its parts")
    return features


def transform_to_json(transform: Mapping[str, Any]) -> str:
    """Canonical text of a transform document (stable bytes for the same transform)."""
    return json.dumps(transform, indent=2) + "\n"


# --------------------------------------------------------------------------- writing


def write_split(path: Path, target: np.ndarray, features: np.ndarray) -> None:
    """Write target-first CSV without header; 17 significant digits round-trip float64 exactly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savetxt(path, np.column_stack([target, features]), delimiter=",", fmt="%.17g")


def preprocess_dataset(
    data: Dataset,
    output_dir: "str | os.PathLike[str]",
    features: Features = FEATURES,
    seed: int = DEFAULT_SEED,
    validation_fraction: float = DEFAULT_VALIDATION_FRACTION,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    margin: float = RANGE_MARGIN,
) -> Dict[str, int]:
    """Split, fit the transform on the train split, and write all outputs; return the rows per split."""
    out = Path(output_dir)
    parts = split_dataset(data, seed, validation_fraction, test_fraction)
    text = transform_to_json(fit_transform(parts["train"], features, margin))
    # Features come from the document as written, so the file is complete by construction.
    transform = json.loads(text)
    (out / "transform").mkdir(parents=True, exist_ok=True)
    (out / "transform" / TRANSFORM_FILE).write_text(text, encoding="utf-8")
    for name, part in parts.items():
        write_split(out / name / f"{name}.csv", part.target, apply_transform(transform, part))
    return {name: len(part) for name, part in parts.items()}


def preprocess(
    source: "str | os.PathLike[str]",
    output_dir: "str | os.PathLike[str]",
    seed: int = DEFAULT_SEED,
    validation_fraction: float = DEFAULT_VALIDATION_FRACTION,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    features: Features = FEATURES,
) -> Dict[str, int]:
    """Validate, split, fit the transform on the train split, and write all outputs.

    Returns the number of rows in each split.
    """
    return preprocess_dataset(read_csv(source, features), output_dir, features, seed, validation_fraction, test_fraction)


def main(argv: "Sequence[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=DEFAULT_INPUT, help="CSV file, or a directory of .csv files")
    parser.add_argument("--output-dir", default=DEFAULT_OUTPUT_DIR)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--validation-fraction", type=float, default=DEFAULT_VALIDATION_FRACTION)
    parser.add_argument("--test-fraction", type=float, default=DEFAULT_TEST_FRACTION)
    args = parser.parse_args(argv)
    for name in ("validation_fraction", "test_fraction"):
        if not 0 < getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 1 (exclusive), got {getattr(args, name):g}")
    if args.validation_fraction + args.test_fraction >= 1:
        parser.error("--validation-fraction + --test-fraction must be below 1, to leave rows for training")
    try:
        # FEATURES as it is now, not the default bound at import (tests replace it); read_csv checks it first.
        sizes = preprocess(
            args.input, args.output_dir, args.seed, args.validation_fraction, args.test_fraction, features=FEATURES
        )
    except FeatureConfigError as error:
        raise SystemExit(f"preprocess: bad configuration in preprocess.py: {error}") from None
    except InputDataError as error:
        # A message the data scientist can act on, not a traceback.
        raise SystemExit(f"preprocess: bad input data: {error}") from None
    print("preprocess: inputs " + ", ".join(FEATURES) + "; rows per split: "
          + ", ".join(f"{k}={v}" for k, v in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
