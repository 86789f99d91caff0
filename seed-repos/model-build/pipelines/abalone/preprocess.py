"""Preprocessing step: validate the Abalone CSV, split it, and fit the feature transform.

Runs as a SageMaker Processing job in the scikit-learn processing container (one
self-contained file: numpy and the standard library only, so any container with numpy
will do) and, unchanged, in the tests.

Outputs, under ``--output-dir``:

- ``train/train.csv``, ``validation/validation.csv``, ``test/test.csv``: no header,
  the target (``rings``) first, then the transformed features in ``feature_names`` order;
  floats written with 17 significant digits, so they read back bit for bit.
- ``transform/transform.json``: everything needed to turn a raw record into the model's
  input (feature order, one-hot categories, numeric scaling). Training copies it into
  model.tar.gz and the inference service applies it, so training and serving cannot
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
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence, Tuple

import numpy as np

TARGET = "rings"
CATEGORICAL = "sex"
SEX_CATEGORIES = ("F", "I", "M")
NUMERIC_FEATURES = (
    "length",
    "diameter",
    "height",
    "whole_weight",
    "shucked_weight",
    "viscera_weight",
    "shell_weight",
)
COLUMNS = (CATEGORICAL,) + NUMERIC_FEATURES + (TARGET,)
FEATURE_NAMES = NUMERIC_FEATURES + tuple(f"{CATEGORICAL}_{c}" for c in SEX_CATEGORIES)
TRANSFORM_SCHEMA_VERSION = 1
TRANSFORM_FILE = "transform.json"
SPLITS = ("train", "validation", "test")

DEFAULT_INPUT = "/opt/ml/processing/input"
DEFAULT_OUTPUT_DIR = "/opt/ml/processing"


class InputDataError(ValueError):
    """The input data cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Dataset:
    """Raw, validated Abalone rows (no transform applied)."""

    sex: Tuple[str, ...]
    numeric: np.ndarray  # shape (n, len(NUMERIC_FEATURES)), float64
    rings: np.ndarray  # shape (n,), float64

    def __len__(self) -> int:
        return len(self.sex)

    def take(self, indices: np.ndarray) -> "Dataset":
        return Dataset(
            sex=tuple(self.sex[i] for i in indices),
            numeric=self.numeric[indices],
            rings=self.rings[indices],
        )


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


def _column_order(header: Sequence[str], where: str) -> List[int]:
    names = [name.strip().lower() for name in header]
    missing = [c for c in COLUMNS if c not in names]
    unexpected = [n for n in names if n not in COLUMNS]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unexpected:
        problems.append("unexpected column(s): " + ", ".join(unexpected))
    if duplicated:
        problems.append("duplicated column(s): " + ", ".join(duplicated))
    if problems:
        raise InputDataError(
            f"{where}: header {'; '.join(problems)} (expected: {', '.join(COLUMNS)})"
        )
    return [names.index(c) for c in COLUMNS]


def _number(text: str, column: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputDataError(f"{where}, column '{column}': {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise InputDataError(f"{where}, column '{column}': {text.strip()!r} is not a finite number")
    if value < 0:
        raise InputDataError(f"{where}, column '{column}': {value!r} is negative")
    return value


def read_abalone_csv(source: "str | os.PathLike[str]") -> Dataset:
    """Read and validate Abalone rows from a CSV file, or from every .csv file in a directory.

    Files are comma separated, in the UCI column order without a header, or with a header
    naming the columns (any order). Raises InputDataError naming the file, line and column
    of the first problem.
    """
    sexes: List[str] = []
    numeric: List[List[float]] = []
    rings: List[float] = []
    files = _csv_files(Path(source))
    for path in files:
        with open(path, newline="", encoding="utf-8") as handle:
            order = list(range(len(COLUMNS)))
            first = True
            for line_no, row in enumerate(csv.reader(handle), start=1):
                if not row or all(not field.strip() for field in row):
                    continue
                where = f"{path.name} line {line_no}"
                if first:
                    first = False
                    if row[0].strip().lower() in COLUMNS:
                        order = _column_order(row, where)
                        continue
                if len(row) != len(COLUMNS):
                    raise InputDataError(
                        f"{where}: expected {len(COLUMNS)} fields ({', '.join(COLUMNS)}), "
                        f"got {len(row)}"
                    )
                fields = [row[i] for i in order]
                sex = fields[0].strip().upper()
                if sex not in SEX_CATEGORIES:
                    raise InputDataError(
                        f"{where}, column 'sex': unknown value {fields[0].strip()!r} "
                        f"(expected one of {', '.join(SEX_CATEGORIES)})"
                    )
                sexes.append(sex)
                numeric.append(
                    [_number(fields[1 + j], name, where) for j, name in enumerate(NUMERIC_FEATURES)]
                )
                rings.append(_number(fields[-1], TARGET, where))
    if not sexes:
        raise InputDataError(
            f"{', '.join(str(p) for p in files)}: no data rows (the file is empty or has only a header)"
        )
    return Dataset(
        sex=tuple(sexes),
        numeric=np.asarray(numeric, dtype=np.float64).reshape(len(sexes), len(NUMERIC_FEATURES)),
        rings=np.asarray(rings, dtype=np.float64),
    )


# --------------------------------------------------------------------------- splitting


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


def fit_transform(train: Dataset) -> Dict[str, Any]:
    """Fit the feature transform on the training rows only; return the transform.json document.

    The layout is the contract shared with the inference service (see README, "Artifact
    contract"): change it only together with the service.
    """
    means = train.numeric.mean(axis=0)
    stds = train.numeric.std(axis=0)  # population std (ddof=0)
    return {
        "schema_version": TRANSFORM_SCHEMA_VERSION,
        "target": TARGET,
        "input_fields": [CATEGORICAL, *NUMERIC_FEATURES],
        # A constant column would divide by zero; scaling by 1 keeps it a harmless constant.
        "numeric": {
            name: {"mean": float(mean), "std": float(std) if std > 0 else 1.0}
            for name, mean, std in zip(NUMERIC_FEATURES, means, stds)
        },
        "categorical": {CATEGORICAL: list(SEX_CATEGORIES)},
        "feature_names": list(FEATURE_NAMES),
    }


def apply_transform(
    transform: Mapping[str, Any], sex: Sequence[str], numeric: np.ndarray
) -> np.ndarray:
    """Turn raw rows into model features, using only the transform document.

    ``numeric`` has one column per entry of ``transform['numeric']``, in that order.
    Returns float64 of shape (n, len(feature_names)); the model reads it as float32.
    """
    numeric = np.asarray(numeric, dtype=np.float64)
    specs = list(transform["numeric"].values())
    means = np.array([spec["mean"] for spec in specs], dtype=np.float64)
    stds = np.array([spec["std"] for spec in specs], dtype=np.float64)
    columns = [(numeric - means) / stds]
    values = np.asarray(sex, dtype=object)
    for categories in transform["categorical"].values():
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


def preprocess(
    source: "str | os.PathLike[str]",
    output_dir: "str | os.PathLike[str]",
    seed: int = 42,
    validation_fraction: float = 0.15,
    test_fraction: float = 0.15,
) -> Dict[str, int]:
    """Validate, split, fit the transform on the train split, and write all outputs.

    Returns the number of rows in each split.
    """
    out = Path(output_dir)
    data = read_abalone_csv(source)
    parts = {
        name: data.take(idx)
        for name, idx in split_indices(len(data), seed, validation_fraction, test_fraction).items()
    }
    text = transform_to_json(fit_transform(parts["train"]))
    # Features come from the document as written, so the file is complete by construction.
    transform = json.loads(text)
    (out / "transform").mkdir(parents=True, exist_ok=True)
    (out / "transform" / TRANSFORM_FILE).write_text(text, encoding="utf-8")
    for name, part in parts.items():
        write_split(out / name / f"{name}.csv", part.rings, apply_transform(transform, part.sex, part.numeric))
    return {name: len(part) for name, part in parts.items()}


def main(argv: "Sequence[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=DEFAULT_INPUT, help="CSV file, or a directory of .csv files")
    parser.add_argument("--output-dir", default=DEFAULT_OUTPUT_DIR)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--validation-fraction", type=float, default=0.15)
    parser.add_argument("--test-fraction", type=float, default=0.15)
    args = parser.parse_args(argv)
    for name in ("validation_fraction", "test_fraction"):
        if not 0 < getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 1 (exclusive), got {getattr(args, name):g}")
    if args.validation_fraction + args.test_fraction >= 1:
        parser.error("--validation-fraction + --test-fraction must be below 1, to leave rows for training")
    try:
        sizes = preprocess(
            args.input, args.output_dir, args.seed, args.validation_fraction, args.test_fraction
        )
    except InputDataError as error:
        # A message the data scientist can act on, not a traceback.
        raise SystemExit(f"preprocess: bad input data: {error}") from None
    print("preprocess: rows per split: " + ", ".join(f"{k}={v}" for k, v in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
