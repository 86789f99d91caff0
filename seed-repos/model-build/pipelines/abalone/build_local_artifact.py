"""Build a complete model.tar.gz on this machine: preprocess -> train -> package -> evaluate, no AWS.

The same code the pipeline's steps run (``preprocess.py``, ``train.py`` with the default
hyperparameters, ``evaluate.py`` on the test split), with the feature set of ``FEATURES`` in
preprocess.py, optionally varied for one run, so a deploy repository can be tried on a model
with other inputs without editing anything:

    python -m pipelines.abalone.build_local_artifact --data data/abalone.csv \\
        --drop-feature shell_weight --add-feature volume=length*diameter*height --out /tmp/x/model.tar.gz

``--add-feature NAME`` adds a numeric column the CSV already has (it needs a header naming it);
``--add-feature NAME=A*B*...`` adds one computed as the product of numeric columns of the CSV
(a derived feature: the model's clients then send it like any other field). The archive holds
the three files at its root, as SageMaker packs the training job's model directory.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from pipelines.abalone import evaluate, preprocess, train

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "data" / "abalone.csv"
NAME = r"[a-z][a-z0-9_]*"
ADDED_FEATURE = re.compile(rf"^(?P<name>{NAME})(=(?P<factors>{NAME}(\*{NAME})*))?$")


class VariantError(ValueError):
    """The requested feature variant cannot be built; the message names the argument."""


def parse_added(spec: str) -> Tuple[str, List[str]]:
    """``volume=length*diameter*height`` -> ("volume", [factors]); ``colour`` -> ("colour", [])."""
    match = ADDED_FEATURE.match(spec.strip())
    if not match:
        raise VariantError(f"--add-feature {spec!r}: expected NAME or NAME=COLUMN*COLUMN..., names in lower case")
    factors = match.group("factors")
    return match.group("name"), factors.split("*") if factors else []


def variant_features(drop: Sequence[str] = (), add: Sequence[str] = ()) -> Tuple[Dict[str, Any], Dict[str, List[str]]]:
    """FEATURES without ``drop`` and with ``add`` (all numeric); also the factors of each derived one."""
    features = dict(preprocess.FEATURES)
    for name in drop:
        if name not in features:
            raise VariantError(f"--drop-feature {name}: not in FEATURES ({', '.join(preprocess.FEATURES)})")
        del features[name]
    derived: Dict[str, List[str]] = {}
    for spec in add:
        name, factors = parse_added(spec)
        if name in features or name == preprocess.TARGET:
            raise VariantError(f"--add-feature {name}: already an input or the target")
        features[name] = preprocess.Numeric()
        if factors:
            derived[name] = factors
    if not features:
        raise VariantError("every feature was dropped: the model needs at least one input")
    return features, derived


def read_variant(data: Path, features: Dict[str, Any], derived: Dict[str, List[str]]) -> preprocess.Dataset:
    """Read the CSV for ``features``, computing each derived column from its factors."""
    needed = {name: kind for name, kind in features.items() if name not in derived}
    for factors in derived.values():
        for factor in factors:
            kind = features.get(factor) or preprocess.FEATURES.get(factor) or preprocess.Numeric()
            if isinstance(kind, preprocess.Categorical):
                raise VariantError(f"--add-feature: {factor} is categorical; a product needs numeric columns")
            needed.setdefault(factor, kind)
    read = preprocess.read_csv(data, needed)
    numeric = {name: np.prod([read.numeric[factor] for factor in derived[name]], axis=0) if name in derived else read.numeric[name]
               for name in preprocess.numeric_fields(features)}
    return preprocess.Dataset(numeric=numeric, categorical=read.categorical, target=read.target)


def pack_model_dir(model_dir: Path, out: Path) -> None:
    """model.tar.gz as SageMaker packs a training job's model directory: its files at the archive root."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz") as archive:
        for path in sorted(model_dir.iterdir()):
            archive.add(path, arcname=path.name)


def build_artifact(data: "str | Path", out: "str | Path", drop: Sequence[str] = (), add: Sequence[str] = (),
                   work_dir: "Optional[str | Path]" = None) -> Dict[str, Any]:
    """Build ``out`` (a model.tar.gz) from the CSV ``data``; return what was built and its test-split RMSE."""
    features, derived = variant_features(drop, add)
    out = Path(out)
    if out.is_dir():
        raise VariantError(f"--out {out}: is a directory; name the archive, e.g. {out / 'model.tar.gz'}")
    dataset = read_variant(Path(data), features, derived)
    with contextlib.ExitStack() as stack:
        work = Path(work_dir) if work_dir else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        preprocess.preprocess_dataset(dataset, work / "processing", features)
        processing = work / "processing"
        # train.py logs every 10th round; the summary below is what matters here.
        with contextlib.redirect_stdout(io.StringIO()):
            summary = train.train(processing / "train", processing / "validation", processing / "transform",
                                  work / "model", dict(train.DEFAULT_HYPERPARAMETERS))
        pack_model_dir(work / "model", out)
        report = evaluate.evaluate(out, processing / "test", work / "evaluation")
    return {
        "archive": str(out),
        "input_fields": list(features),
        "num_trees": summary["num_trees"],
        "test_rmse": report["regression_metrics"]["rmse"]["value"],
    }


class _OneLineParser(argparse.ArgumentParser):
    """Usage mistakes print one line (no usage block), so they read like every other error here."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def main(argv: "Sequence[str] | None" = None) -> int:
    parser = _OneLineParser(prog="build_local_artifact", description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--data", default=str(DEFAULT_DATA),
                        help="CSV file, or a directory of .csv files (default: data/abalone.csv)")
    parser.add_argument("--out", required=True, help="the model.tar.gz to write")
    parser.add_argument("--drop-feature", action="append", default=[], metavar="NAME",
                        help="leave this input out (repeatable)")
    parser.add_argument("--add-feature", action="append", default=[], metavar="NAME[=A*B...]",
                        help="add a numeric input: a column of the CSV, or the product of columns (repeatable)")
    args = parser.parse_args(argv)
    try:
        built = build_artifact(args.data, args.out, args.drop_feature, args.add_feature)
    except (VariantError, preprocess.InputDataError, preprocess.FeatureConfigError) as error:
        raise SystemExit(f"build_local_artifact: {error}") from None
    print(f"build_local_artifact: wrote {built['archive']}: inputs {', '.join(built['input_fields'])}; "
          f"{built['num_trees']} trees, test-split RMSE {built['test_rmse']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
