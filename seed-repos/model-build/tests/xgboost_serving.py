"""The XGBoost container's script-mode WSGI app, built from the real sagemaker-containers library.

A copy of two functions of aws/sagemaker-xgboost-container
``src/sagemaker_xgboost_container/serving.py`` (unchanged since commit f2dc574, March 2023, so
the same in the 3.0-5 image): ``_user_module_transformer`` and the script-mode branch of
``main``, the app that ``serving_entrypoint`` has gunicorn run (``SAGEMAKER_SERVING_MODULE=
sagemaker_xgboost_container.serving:main`` in ``docker/3.0-5/final/Dockerfile.cpu``; Multi Model
Server only when ``SAGEMAKER_MULTI_MODEL`` is set). That package is not on PyPI and imports the
whole training stack, so its two functions are copied here; everything they call is the real
``sagemaker_containers`` 2.8.6.post2: ``transformer.Transformer`` (``_transformer.py``),
``worker.Worker`` (``_worker.py``, a Flask app), ``env.ServingEnv`` (``_env.py``).

Left out: the algorithm-mode branch (no ``SAGEMAKER_PROGRAM``) and the container's own default
input/predict/output functions, which only run for a module without transform_fn (the defaults
used here instead are the library's; they never run for a module that defines all three).

Copied from the ModelDeploy endpoint seed's tests/xgboost_serving.py (each repository stands alone).
"""

from __future__ import annotations

import importlib
import logging

import container_compat

container_compat.alias_collections_abcs()

from sagemaker_containers.beta.framework import env, transformer, worker  # noqa: E402


class UserError(Exception):
    """Stands for ``sagemaker_algorithm_toolkit.exceptions.UserError``, which the container raises."""


def _user_module_transformer(user_module):
    model_fn = getattr(user_module, "model_fn", transformer.default_model_fn)
    input_fn = getattr(user_module, "input_fn", None)
    predict_fn = getattr(user_module, "predict_fn", None)
    output_fn = getattr(user_module, "output_fn", None)
    transform_fn = getattr(user_module, "transform_fn", None)

    if transform_fn and (input_fn or predict_fn or output_fn):
        raise UserError("Cannot use transform_fn implementation with input_fn, predict_fn, and/or output_fn")

    if transform_fn is not None:
        return transformer.Transformer(model_fn=model_fn, transform_fn=transform_fn)
    else:
        return transformer.Transformer(
            model_fn=model_fn,
            input_fn=input_fn or transformer.default_input_fn,
            predict_fn=predict_fn or transformer.default_predict_fn,
            output_fn=output_fn or transformer.default_output_fn,
        )


def load_worker() -> worker.Worker:
    """What ``main`` does on its first request: import SAGEMAKER_PROGRAM, load the model, build the app."""
    serving_env = env.ServingEnv()
    if serving_env.module_name is None:
        raise RuntimeError("SAGEMAKER_PROGRAM is not set (the container would serve in algorithm mode)")
    user_module = importlib.import_module(serving_env.module_name)
    # Not in the container: says which file was imported (test_inference.py checks it).
    logging.getLogger(__name__).warning("user module %s from %s", serving_env.module_name, user_module.__file__)
    user_module_transformer = _user_module_transformer(user_module)
    user_module_transformer.initialize()
    return worker.Worker(transform_fn=user_module_transformer.transform, module_name=serving_env.module_name)


app = None


def main(environ, start_response):
    global app
    if app is None:
        app = load_worker()
    return app(environ, start_response)
