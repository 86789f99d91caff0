"""Make data/abalone-sample.csv, the small committed sample the tests train their local model on.

Usage:  python scripts/make_sample.py SOURCE [--columns NAME,...] [--stratify-by COLUMN]
                                      [--rows 300] [--seed 11] [--output data/abalone-sample.csv]

SOURCE is a CSV of the data ModelBuild trains on, the target as its last column, with a header
row, or without one and ``--columns`` naming its columns in order (the UCI ``abalone.data`` has
none: data/README.md gives the command). ``--stratify-by`` keeps every value of that column in
proportion. The sample is drawn with a fixed seed and keeps the source order, so running the
script again gives the same file; it is written with a header. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "data" / "abalone-sample.csv"


class SampleError(ValueError):
    """The source cannot give the requested sample; the message says where and why."""


def is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def read_rows(path: Path, columns: list[str] | None) -> tuple[list[str], list[list[str]]]:
    """(column names, data rows) of a CSV whose last column is the numeric target."""
    with open(path, newline="", encoding="utf-8") as handle:
        lines = [(number, row) for number, row in enumerate(csv.reader(handle), start=1) if row]
    if columns is None:
        if not lines:
            raise SampleError(f"{path}: empty (expected a header row, or pass --columns)")
        columns = [name.strip() for name in lines.pop(0)[1]]
    if len(columns) < 2 or len(set(columns)) != len(columns) or not all(columns):
        raise SampleError(f"{path}: columns {columns} must be at least two distinct names, the target last")
    for number, row in lines:
        if len(row) != len(columns):
            raise SampleError(f"{path}:{number}: expected {len(columns)} columns ({', '.join(columns)}), got {len(row)}")
        if not is_number(row[-1]):
            raise SampleError(f"{path}:{number}: the target {columns[-1]!r} (last column) must be a number, got {row[-1]!r}")
    if not lines:
        raise SampleError(f"{path}: no data rows")
    return columns, [row for _, row in lines]


def stratified_sample(rows: list[list[str]], size: int, seed: int, stratum: int | None) -> list[list[str]]:
    if not 1 <= size <= len(rows):
        raise SampleError(f"--rows must be between 1 and {len(rows)}, got {size}")
    rng = random.Random(seed)
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault("" if stratum is None else row[stratum], []).append(index)
    chosen: list[int] = []
    remaining = size
    for position, key in enumerate(sorted(groups)):
        indices = groups[key]
        last = position == len(groups) - 1
        take = remaining if last else round(size * len(indices) / len(rows))
        chosen.extend(rng.sample(indices, take))
        remaining -= take
    return [rows[i] for i in sorted(chosen)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="CSV of the training data, target last")
    parser.add_argument("--columns", help="comma-separated column names, for a source without a header row")
    parser.add_argument("--stratify-by", help="a column whose values keep their proportions in the sample")
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"source {args.source} is not a file")
    try:
        columns, rows = read_rows(args.source, None if args.columns is None else [c.strip() for c in args.columns.split(",")])
        if args.stratify_by is not None and args.stratify_by not in columns:
            raise SampleError(f"--stratify-by {args.stratify_by!r} is not a column ({', '.join(columns)})")
        stratum = None if args.stratify_by is None else columns.index(args.stratify_by)
        sample = stratified_sample(rows, args.rows, args.seed, stratum)
    except SampleError as exc:
        parser.exit(2, f"make_sample: {exc}\n")
    with open(args.output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(sample)
    print(f"wrote {len(sample)} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
