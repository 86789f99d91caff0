"""``app.handler.handler`` loads everything at import (Lambda init) and fails init clearly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import xgboost

import train_local_model
from conftest import SERVICE_DIR

from model_under_test import VALID_RECORD

# The child builds its event with an explicit body: http_events' default would prepare another model.
PREDICT_SCRIPT = f"""
import json, sys
from app.handler import handler
sys.path.insert(0, "tests")
from http_events import LambdaContext, api_event
print(json.dumps(handler(api_event({{"instances": [{VALID_RECORD!r}]}}), LambdaContext())))
"""


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("MODEL_DIR", "MAX_RECORDS", "LOG_PAYLOADS")}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], cwd=SERVICE_DIR, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_handler_serves_predictions_from_model_dir(model_dir):
    result = _run(PREDICT_SCRIPT, MODEL_DIR=model_dir)

    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout.splitlines()[-1])
    assert response["statusCode"] == 200
    assert len(json.loads(response["body"])["predictions"]) == 1


def test_init_fails_with_clear_message_on_xgboost_version_mismatch(model_dir, tmp_path):
    artifact = tmp_path / "model"
    shutil.copytree(model_dir, artifact)
    info = json.loads((artifact / "model-info.json").read_text())
    info["xgboost_version"] = "2.0.3"
    (artifact / "model-info.json").write_text(json.dumps(info))

    result = _run("import app.handler", MODEL_DIR=str(artifact))

    assert result.returncode != 0
    assert "ModelLoadError: xgboost version mismatch" in result.stderr
    assert "pin xgboost-cpu==2.0.3" in result.stderr


def test_init_fails_with_clear_message_on_bad_setting(model_dir):
    result = _run("import app.handler", MODEL_DIR=model_dir, MAX_RECORDS="lots")

    assert result.returncode != 0
    assert "ConfigError: environment variable MAX_RECORDS='lots' is not an integer" in result.stderr


def test_handler_init_imports_neither_the_xgboost_package_nor_scipy_yet_predicts_exactly_like_it(model_dir, model_records):
    # Cold start: app/xgboost_c_api.py calls xgboost's library directly; the package and scipy stay unloaded.
    records = model_records[:50]
    code = f"""
import json, sys
from app.handler import SERVICE
sys.path.insert(0, "tests")
from http_events import LambdaContext, api_event
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("xgboost", "scipy", "pandas"))
response = SERVICE.handle(api_event({{"instances": {records!r}}}), LambdaContext())
print(json.dumps({{"loaded": loaded, "body": json.loads(response["body"])}}))
"""
    result = _run(code, MODEL_DIR=model_dir)

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["loaded"] == []
    transform = json.loads(open(os.path.join(model_dir, "transform.json")).read())
    expected = xgboost.Booster(model_file=os.path.join(model_dir, "xgboost-model.json")).inplace_predict(
        train_local_model.training_features(records, transform))
    np.testing.assert_array_equal(np.array(outcome["body"]["predictions"], dtype=np.float32), expected)


def test_init_moves_its_objects_out_of_the_garbage_collectors_reach(model_dir):
    # Full collections would otherwise walk xgboost's, numpy's and the model's objects on every 1,000-row request.
    result = _run("import gc, app.handler; print(gc.get_freeze_count())", MODEL_DIR=model_dir)

    assert result.returncode == 0, result.stderr
    assert int(result.stdout.splitlines()[-1]) > 10_000
