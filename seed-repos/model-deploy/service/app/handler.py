"""AWS Lambda entry point: ``app.handler.handler`` (the image's CMD).

The model and its transform are loaded once, when the runtime imports this
module (Lambda init), from the files baked into the image under MODEL_DIR
(default ``${LAMBDA_TASK_ROOT}/model``). A bad setting or a bad or mismatched
artifact raises ``ConfigError`` / ``ModelLoadError`` here, so the function fails
at init with a message saying what to fix instead of serving wrong answers.
"""

from __future__ import annotations

import gc
from typing import Any

from .config import load_settings
from .model import load_model
from .service import Service

SETTINGS = load_settings()
SERVICE = Service(SETTINGS, load_model(SETTINGS.model_dir, SETTINGS.xgboost_nthread))
# Everything made at init lives as long as the process: moved out of the collector's generations, it is never
# walked again. Without this, each full collection walks the ~70,000 objects of xgboost, numpy and the model
# (measured: ~35 ms, amortised ~0.2 ms per 1,000-row request). https://docs.python.org/3/library/gc.html#gc.freeze
gc.freeze()


def handler(event: dict, context: Any) -> dict:
    return SERVICE.handle(event, context)
