"""The baseline the benchmark compares against: a handler written the way the AWS
samples write one (pandas DataFrame + DMatrix, model.tar.gz extracted into /tmp
at init). Not part of the service; it exists only to be measured.

Init: ``SEED_MODEL_TAR`` names the model.tar.gz to extract.
"""

from __future__ import annotations

import json
import os
import tarfile
import tempfile

import pandas as pd
import xgboost as xgb

EXTRACT_DIR = tempfile.mkdtemp(prefix="seed-model-", dir="/tmp")
with tarfile.open(os.environ["SEED_MODEL_TAR"]) as archive:
    archive.extractall(EXTRACT_DIR, filter="data")
with open(os.path.join(EXTRACT_DIR, "transform.json")) as handle:
    TRANSFORM = json.load(handle)
with open(os.path.join(EXTRACT_DIR, "model-package.json")) as handle:
    PACKAGE = json.load(handle)
BOOSTER = xgb.Booster()
BOOSTER.load_model(os.path.join(EXTRACT_DIR, "xgboost-model.json"))


def handler(event: dict, context: object) -> dict:
    body = json.loads(event["body"])
    frame = pd.DataFrame(body["instances"])
    for field, stats in TRANSFORM["numeric"].items():
        frame[field] = (frame[field] - stats["mean"]) / stats["std"]
    for field, categories in TRANSFORM["categorical"].items():
        for category in categories:
            frame[f"{field}_{category}"] = (frame[field] == category).astype("float64")
    features = frame[TRANSFORM["feature_names"]].astype("float32")
    predictions = BOOSTER.predict(xgb.DMatrix(features))
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"predictions": predictions.tolist(), "model": PACKAGE})}
