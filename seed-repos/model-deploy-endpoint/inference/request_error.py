"""RequestError: a client mistake, answered with a 4xx status and a JSON body naming it.

How the status code reaches the client (SageMaker XGBoost framework container 3.0-5, script
mode, single-model endpoint): the container's ``serve`` starts gunicorn, not Multi Model Server
(that one only with ``SAGEMAKER_MULTI_MODEL``), with the ``sagemaker_containers`` Flask worker
(aws/sagemaker-xgboost-container ``src/sagemaker_xgboost_container/serving.py``:
``serving_entrypoint``, ``main``, ``_user_module_transformer``). The worker runs the
``transform_fn`` of inference.py through ``sagemaker_containers`` 2.8.6.post2
``Transformer.transform`` (``sagemaker_containers/_transformer.py``). Nothing in that library
knows RequestError: its default transform (used with input_fn/predict_fn/output_fn) answers
only ``UnsupportedFormatError`` with 415/406, and any other exception becomes Flask's HTML 500.
So inference.transform_fn catches RequestError itself and returns a ``worker.Response``
(``sagemaker_containers/_worker.py``) with ``status_code`` and ``{"error": message}``.

InvokeEndpoint then fails with ``ModelError`` whose ``OriginalStatusCode`` is that status and
whose ``OriginalMessage`` is that body. This module imports nothing from the container.
"""

from __future__ import annotations

MAX_MESSAGE_CHARS = 400


def _one_line(text: str) -> str:
    # The message ends up in logs and in InvokeEndpoint's OriginalMessage: one line, ASCII, bounded.
    flat = " ".join(str(text).split()).encode("ascii", "backslashreplace").decode("ascii")
    return flat if len(flat) <= MAX_MESSAGE_CHARS else flat[: MAX_MESSAGE_CHARS - 3] + "..."


class RequestError(Exception):
    """A problem with the client's request, answered with ``status_code`` (4xx)."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        if not 400 <= status_code < 500:
            raise ValueError(f"RequestError status_code must be 4xx, got {status_code}")
        text = _one_line(message)
        super().__init__(text)
        self.status_code = status_code
        self.message = text

    def __str__(self) -> str:
        return self.message
