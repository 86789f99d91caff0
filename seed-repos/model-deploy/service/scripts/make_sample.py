"""Make a headed sample CSV (data/abalone-sample.csv) with the columns a model takes, from its full data file.

Usage:  python scripts/make_sample.py SOURCE [--model MODEL] [--rows 500] [--seed 7] [--output FILE]

MODEL is the model whose inputs the sample must have: a model directory (default: model/, where
the deploy build unpacks the registered model and scripts/train_local_model.py writes one) or the
model.tar.gz that ModelBuild registered. Its transform.json names the columns: the input fields in
order, then the target. SOURCE is the data file the model was trained from, either headed (the
columns are picked by name, others dropped) or headerless with exactly those columns in that order,
as the UCI Abalone file abalone.data is (https://archive.ics.uci.edu/dataset/1/abalone). This
repository does not ship it, so it must be given.

The sample is stratified by the categorical fields (proportional allocation), drawn with a fixed
seed, and keeps the source order, so running the script again gives the same file. Only the
standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_DIR = os.path.dirname(HERE)
DEFAULT_MODEL = os.path.join(SERVICE_DIR, "model")
DEFAULT_OUTPUT = os.path.join(SERVICE_DIR, "data", "abalone-sample.csv")
TRANSFORM_FILE = "transform.json"


class SampleError(ValueError):
    """The model, the source data or the arguments cannot give the requested sample."""


def read_transform(model: str) -> dict:
    """transform.json of a model directory or model.tar.gz (its member may be written ``./transform.json``)."""
    try:
        if os.path.isdir(model):
            with open(os.path.join(model, TRANSFORM_FILE), "rb") as handle:
                text = handle.read()
        elif os.path.isfile(model) and tarfile.is_tarfile(model):
            with tarfile.open(model) as archive:
                member = next((m for m in archive.getmembers() if m.isfile() and os.path.normpath(m.name) == TRANSFORM_FILE), None)
                if member is None:
                    raise SampleError(f"{model} has no {TRANSFORM_FILE} at its top level")
                text = archive.extractfile(member).read()
        else:
            raise SampleError(f"--model {model} is neither a model directory nor a model.tar.gz")
        doc = json.loads(text)
    except FileNotFoundError:
        raise SampleError(f"{model} has no {TRANSFORM_FILE}: pass --model with the model directory or model.tar.gz the sample "
                          "is for (python scripts/train_local_model.py writes one to model/)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SampleError(f"{TRANSFORM_FILE} of {model} is not valid JSON: {exc}") from None
    if not (isinstance(doc, dict) and isinstance(doc.get("input_fields"), list) and isinstance(doc.get("target"), str)
            and isinstance(doc.get("categorical"), dict)):
        raise SampleError(f"{TRANSFORM_FILE} of {model} lacks input_fields, categorical or target; "
                          "retrain the model with the current ModelBuild pipeline")
    return doc


def _number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def read_rows(path: str, transform: dict) -> list[list[str]]:
    """The source rows as the model's columns (input fields, then target); a bad row is an error naming its line."""
    columns = transform["input_fields"] + [transform["target"]]
    categories = transform["categorical"]
    with open(path, newline="") as handle:
        lines = [(number, row) for number, row in enumerate(csv.reader(handle), start=1) if row]
    if not lines:
        raise SampleError(f"{path}: no data rows")
    headed = set(columns) <= set(lines[0][1])
    if headed:  # pick the model's columns by name
        header = lines[0][1]
        positions = [header.index(name) for name in columns]
        width = len(header)
        lines = lines[1:]
    else:  # exactly the model's columns, in order
        positions = list(range(len(columns)))
        width = len(columns)
    sample = []
    for number, cells in lines:
        if len(cells) != width:
            expected = f"{width} values like its header" if headed else f"the {width} columns {','.join(columns)}"
            raise SampleError(f"{path}:{number}: expected {expected}, got {cells!r}")
        row = [cells[i] for i in positions]
        for name, cell in zip(columns, row):
            if name in categories:
                if cell not in categories[name]:
                    raise SampleError(f"{path}:{number}: {name} is {cell!r}; the model knows {', '.join(categories[name])}")
            elif not _number(cell):
                raise SampleError(f"{path}:{number}: {name} is {cell!r}, not a number (in {cells!r})")
        sample.append(row)
    if not sample:
        raise SampleError(f"{path}: no data rows")
    return sample


def stratified_sample(rows: list[list[str]], size: int, seed: int, strata: list[int]) -> list[list[str]]:
    """``size`` rows, each stratum (the values at positions ``strata``) in proportion, in source order."""
    rng = random.Random(seed)
    groups: dict[tuple, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(tuple(row[p] for p in strata), []).append(i)
    chosen: list[int] = []
    keys = sorted(groups)
    remaining = size
    for k, key in enumerate(keys):
        indices = groups[key]
        take = remaining if k == len(keys) - 1 else min(round(size * len(indices) / len(rows)), remaining)
        chosen.extend(rng.sample(indices, take))
        remaining -= take
    return [rows[i] for i in sorted(chosen)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="the model's training data file, headed or not (e.g. the UCI abalone.data)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model directory or model.tar.gz whose columns the sample takes")
    parser.add_argument("--rows", type=int, default=500, help="sample size (default 500)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="CSV to write (default data/abalone-sample.csv)")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.source):
        parser.error(f"source {args.source} is not a file (pass the path to the data file, e.g. abalone.data)")
    if args.rows < 1:
        parser.error(f"--rows must be at least 1, got {args.rows}")
    output_dir = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(output_dir):
        parser.error(f"--output directory {output_dir} does not exist")
    try:
        transform = read_transform(args.model)
        rows = read_rows(args.source, transform)
    except SampleError as exc:
        parser.error(str(exc))
    if args.rows > len(rows):
        parser.error(f"--rows {args.rows} is more than the {len(rows)} rows in {args.source}")
    columns = transform["input_fields"] + [transform["target"]]
    strata = [i for i, name in enumerate(columns) if name in transform["categorical"]]
    sample = stratified_sample(rows, args.rows, args.seed, strata)
    with open(args.output, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(sample)
    print(f"wrote {len(sample)} of {len(rows)} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
