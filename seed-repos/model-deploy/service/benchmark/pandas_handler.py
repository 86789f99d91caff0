"""The competent pandas baseline the benchmark compares against: what a careful data scientist
would write without this service's validation. Not part of the service; it exists only to be measured.

One vectorised transform of the whole frame, a DMatrix, ``Booster.predict``; the model loaded
from MODEL_DIR at init (no archive to extract); one xgboost thread; stdlib ``json``; no
validation at all (a bad value is a KeyError, a 500, or a silently wrong prediction).
"""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import xgboost as xgb

MODEL_DIR = os.environ["MODEL_DIR"]
with open(os.path.join(MODEL_DIR, "transform.json")) as handle:
    TRANSFORM = json.load(handle)
with open(os.path.join(MODEL_DIR, "model-package.json")) as handle:
    PACKAGE = json.load(handle)
BOOSTER = xgb.Booster(model_file=os.path.join(MODEL_DIR, "xgboost-model.json"))
BOOSTER.set_param({"nthread": 1})  # as the service: one vCPU below 1,769 MB, and no OpenMP spin-waiting
NUMERIC = list(TRANSFORM["numeric"])
MEAN = np.array([TRANSFORM["numeric"][f]["mean"] for f in NUMERIC])
STD = np.array([TRANSFORM["numeric"][f]["std"] for f in NUMERIC])
CATEGORICAL = [(field, np.array(categories, dtype=object)) for field, categories in TRANSFORM["categorical"].items()]


def handler(event: dict, context: object) -> dict:
    frame = pd.DataFrame(json.loads(event["body"])["instances"])
    parts = [(frame[NUMERIC].to_numpy(dtype=np.float64) - MEAN) / STD]
    parts += [(frame[field].to_numpy()[:, None] == categories[None, :]).astype(np.float64) for field, categories in CATEGORICAL]
    features = np.hstack(parts).astype(np.float32)  # feature_names order: numeric fields, then one-hot
    predictions = BOOSTER.predict(xgb.DMatrix(features, feature_names=TRANSFORM["feature_names"], nthread=1))
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"predictions": predictions.tolist(), "model": PACKAGE})}
