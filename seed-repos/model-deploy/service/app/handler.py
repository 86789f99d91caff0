"""AWS Lambda entry point: ``app.handler.handler`` (the image's CMD).

The model and its transform are loaded once, when the runtime imports this
module (Lambda init), from the files baked into the image under MODEL_DIR
(default ``${LAMBDA_TASK_ROOT}/model``). A bad setting or a bad or mismatched
artifact raises ``ConfigError`` / ``ModelLoadError`` here, so the function fails
at init with a message saying what to fix instead of serving wrong answers.
"""

from __future__ import annotations

from typing import Any

from .config import load_settings
from .model import load_model
from .service import Service

SETTINGS = load_settings()
SERVICE = Service(SETTINGS, load_model(SETTINGS.model_dir, SETTINGS.xgboost_nthread))


def handler(event: dict, context: Any) -> dict:
    return SERVICE.handle(event, context)
