"""RequestError: a client mistake that the serving container answers with a 4xx status.

How the status code reaches the client (SageMaker XGBoost framework container, script mode):
``SAGEMAKER_PROGRAM=inference.py`` makes the container start Multi Model Server with its
user-module handler service, whose ``Transformer.transform`` runs
``input_fn -> predict_fn -> output_fn`` and catches exceptions. An exception that is an
instance of ``BaseInferenceToolkitError`` is answered with its ``status_code`` (reason
phrase and body from its ``phrase``/``message``); any other exception becomes a 500.
References: aws/sagemaker-inference-toolkit ``src/sagemaker_inference/transformer.py``
(``handle_error``) and ``errors.py``; aws/sagemaker-xgboost-container
``src/sagemaker_xgboost_container/handler_service.py`` and
``algorithm_mode/mms_transformer.py`` / ``inference_errors.py``. Container releases have
used either the toolkit's class or the container's own copy of it, so RequestError derives
from every one that can be imported. Outside the container (tests, local runs) neither
exists and a local stand-in with the same attributes is used, so this module always imports.

InvokeEndpoint then fails with ``ModelError`` whose ``OriginalStatusCode`` is that status
and whose ``OriginalMessage`` is the message.
"""

from __future__ import annotations

import importlib

# Where BaseInferenceToolkitError lives in the serving container (first: the toolkit).
TOOLKIT_ERROR_MODULES = (
    "sagemaker_inference.errors",
    "sagemaker_xgboost_container.algorithm_mode.inference_errors",
)
MAX_MESSAGE_CHARS = 400


class LocalToolkitError(Exception):
    """Stand-in with the toolkit's constructor, used when no toolkit is installed."""

    def __init__(self, status_code: int, message: str, phrase: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.phrase = phrase


def toolkit_error_bases(module_names: tuple[str, ...] = TOOLKIT_ERROR_MODULES) -> tuple[type, ...]:
    """The importable BaseInferenceToolkitError classes, most derived first (a valid MRO)."""
    found: list[type] = []
    for name in module_names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        base = getattr(module, "BaseInferenceToolkitError", None)
        if isinstance(base, type) and issubclass(base, Exception) and base not in found:
            found.append(base)
    # Keep only the most derived classes: (Base, Sub) as bases has no consistent MRO.
    bases = [b for b in found if not any(o is not b and issubclass(o, b) for o in found)]
    return tuple(bases) or (LocalToolkitError,)


def _one_line(text: str) -> str:
    # The message doubles as the HTTP reason phrase: one line, ASCII, bounded.
    flat = " ".join(str(text).split()).encode("ascii", "backslashreplace").decode("ascii")
    return flat if len(flat) <= MAX_MESSAGE_CHARS else flat[: MAX_MESSAGE_CHARS - 3] + "..."


def make_request_error_class(bases: tuple[type, ...]) -> type:
    def __init__(self, message: str, status_code: int = 400) -> None:
        if not 400 <= status_code < 500:
            raise ValueError(f"RequestError status_code must be 4xx, got {status_code}")
        text = _one_line(message)
        Exception.__init__(self, text)
        # Set directly: the toolkit classes differ in whether they call Exception.__init__.
        self.status_code = status_code
        self.message = text
        self.phrase = text

    def __str__(self) -> str:
        return self.message

    return type("RequestError", bases, {
        "__doc__": "A problem with the client's request, answered with ``status_code`` (4xx).",
        "__module__": __name__,
        "__init__": __init__,
        "__str__": __str__,
    })


RequestError = make_request_error_class(toolkit_error_bases())
