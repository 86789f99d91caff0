"""The model every test runs on, and the request values the tests derive from it.

By default the suite trains a model from ``data/abalone-sample.csv`` (scripts/train_local_model.py).
With ``MODEL_ARTIFACT=<model.tar.gz or an extracted model directory>`` it runs on that artifact
instead, e.g. the one ModelBuild registered. Either way field names, categories, bounds and
valid records come from the artifact's transform.json, never from a list in the tests, so a
model with a feature fewer or more passes the same suite.

This module is imported at collection time (test corpora are built from it), so the model is
prepared once per run, in a temporary directory removed at exit.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import random
import shutil
import sys
import tarfile
import tempfile

SERVICE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS_DIR = os.path.join(SERVICE_DIR, "scripts")
SAMPLE_CSV = os.path.join(SERVICE_DIR, "data", "abalone-sample.csv")
for _path in (SERVICE_DIR, SCRIPTS_DIR):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import train_local_model  # noqa: E402  (scripts/, made importable above)

ARTIFACT_VARIABLE = "MODEL_ARTIFACT"
# The deploy build writes model-package.json next to the artifact; the tests write their own.
TEST_PACKAGE_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/test-models/7"
TEST_PACKAGE_VERSION = 7


def _unpack(source: str, into: str) -> None:
    """Copy a model directory, or extract a model.tar.gz (members as ModelBuild writes them, ``./`` or not)."""
    if os.path.isdir(source):
        shutil.copytree(source, into, dirs_exist_ok=True)
    elif os.path.isfile(source) and tarfile.is_tarfile(source):
        with tarfile.open(source) as archive:
            # The "data" filter refuses absolute paths, links out of the folder and device files
            # (https://docs.python.org/3/library/tarfile.html#tarfile-extraction-filter).
            archive.extractall(into, filter="data")
    else:
        raise RuntimeError(f"{ARTIFACT_VARIABLE}={source!r} is neither a model directory nor a model.tar.gz")
    if not os.path.isfile(os.path.join(into, "transform.json")):
        raise RuntimeError(f"{ARTIFACT_VARIABLE}={source!r} has no transform.json at its top level")


def _prepare() -> str:
    model_dir = tempfile.mkdtemp(prefix="model-under-test-")
    atexit.register(shutil.rmtree, model_dir, ignore_errors=True)
    source = os.environ.get(ARTIFACT_VARIABLE, "").strip()
    if source:
        _unpack(source, model_dir)
        with open(os.path.join(model_dir, "model-package.json"), "w") as handle:
            json.dump({"packageArn": TEST_PACKAGE_ARN, "version": TEST_PACKAGE_VERSION}, handle)
    else:
        train_local_model.train_model_dir(SAMPLE_CSV, model_dir, package_arn=TEST_PACKAGE_ARN, version=TEST_PACKAGE_VERSION)
    return model_dir


MODEL_DIR = _prepare()
with open(os.path.join(MODEL_DIR, "transform.json")) as _handle:
    TRANSFORM: dict = json.load(_handle)

INPUT_FIELDS: list[str] = list(TRANSFORM["input_fields"])
NUMERIC_FIELDS: list[str] = [f for f in INPUT_FIELDS if f in TRANSFORM["numeric"]]
CATEGORICAL_FIELDS: list[str] = [f for f in INPUT_FIELDS if f in TRANSFORM["categorical"]]
CATEGORIES: dict[str, list[str]] = {f: list(TRANSFORM["categorical"][f]) for f in CATEGORICAL_FIELDS}
BOUNDS: dict[str, tuple[float, float]] = {f: (TRANSFORM["numeric"][f]["minimum"], TRANSFORM["numeric"][f]["maximum"])
                                          for f in NUMERIC_FIELDS}
TARGET: str | None = TRANSFORM.get("target")
EXAMPLES: list[dict] = [dict(e) for e in TRANSFORM["examples"]]
VALID_RECORD: dict = dict(EXAMPLES[0])


def allowed_text(field: str) -> str:
    """How an invalid_category message lists a field's categories."""
    return ", ".join(CATEGORIES[field])


def below_minimum(field: str) -> float:
    lo, hi = BOUNDS[field]
    return round(lo - (hi - lo) - 1, 6)


def above_maximum(field: str) -> float:
    lo, hi = BOUNDS[field]
    return round(hi + (hi - lo) + 1, 6)


def far_above_maximum(field: str) -> int:
    """An integer a thousand times too large: a unit mistake (e.g. millimetres for metres)."""
    return (math.floor(abs(BOUNDS[field][1])) + 1) * 1000


def unknown_category(field: str) -> str:
    """A spelling that is no category of ``field`` in any case."""
    known = {c.casefold() for c in CATEGORIES[field]}
    candidate = "Q"
    while candidate.casefold() in known:
        candidate += "q"
    return candidate


def misspelling(field: str, variant: int = 0) -> str:
    """A typo of ``field`` that the service should recognise ("did you mean ...")."""
    if variant % 2 and "_" in field:
        return field.replace("_", "-")
    return field + field[-1]


def valid_records(count: int = 500, seed: int = 7) -> list[dict]:
    """The artifact's examples, then records drawn across each field's observed training range.

    Numbers have 4 significant digits, as measurements do; categories take turns. Every record is
    valid for the model, so each test can state what the service must answer.
    """
    rng = random.Random(seed)
    records = [dict(e) for e in EXAMPLES]
    while len(records) < count:
        i = len(records)
        record = {}
        for field in INPUT_FIELDS:
            if field in CATEGORIES:
                record[field] = CATEGORIES[field][i % len(CATEGORIES[field])]
            else:
                stats = TRANSFORM["numeric"][field]
                value = rng.uniform(stats["observed_minimum"], stats["observed_maximum"])
                record[field] = train_local_model.rounded(value, stats["minimum"], stats["maximum"])
        records.append(record)
    return records[:count]
