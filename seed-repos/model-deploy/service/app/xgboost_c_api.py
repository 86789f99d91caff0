"""The model through xgboost's C library (``libxgboost.so`` of the pinned xgboost-cpu wheel), called with ctypes.

Why not the xgboost Python package: cold start. Importing it was a quarter of the
handler's init (about 30 ms of 120 ms, xgboost 3.0.5; benchmark/benchmark.py):
its ``__init__`` loads the distributed-training tracker (sockets), collectives,
the training loop and callbacks, and ``xgboost.core`` needs ``scipy.sparse``, which
the image leaves out. Serving needs a handful of C calls: create a Booster, set two
parameters, load the JSON model, read its feature count, names and configuration, and
``XGBoosterPredictFromDense``. Those are xgboost's documented C API
(https://xgboost.readthedocs.io/en/release_3.0.0/c.html; ``XGBoosterSaveJsonConfig``,
used only to report the configuration, is marked experimental there), called with the
arguments the Python package passes (python-package/xgboost/core.py of 3.0.5:
``Booster.__init__``, ``load_model``, ``num_features``, ``_get_feature_info``,
``inplace_predict``), so the results are the same bits: tests/test_xgboost_c_api.py
compares them with the Python package's, and the project's build/serve parity
test checks every row of the UCI data set.

Per prediction this also skips ``inplace_predict``'s Python (about 35 us for one
record): its dispatch over a dozen input kinds, its JSON config and array
interface built with ``json.dumps`` on every call, and the output's shape and array interface
wrapped again in Python.

The library is found where the Python package finds it (libpath.py's first
candidate, ``xgboost/lib/libxgboost.so``) without running the package. As
xgboost's own loader does, the version of the library must equal the package's
``VERSION`` file. xgboost's C++ warnings go to stderr through its default log
callback (include/xgboost/logging.h: ``std::cerr``), every time they occur; the
Python package would send them to ``warnings.warn`` instead. Lambda sends stderr
to the function's log group. Errors are unchanged: each failed call raises with
``XGBGetLastError``'s text.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import json
import os
import re

import numpy as np

_ulong = ctypes.c_uint64  # xgboost's bst_ulong
_handle = ctypes.c_void_p


class XGBoostError(RuntimeError):
    """A C API call failed; the message is xgboost's own (XGBGetLastError)."""


def _package_dir() -> str:
    # PathFinder finds the installed package without importing it (importing it is what this module avoids).
    spec = importlib.machinery.PathFinder.find_spec("xgboost")
    if spec is None or not spec.submodule_search_locations:
        raise XGBoostError("the xgboost-cpu package is not installed: pip install --no-deps --require-hashes -r requirements.txt")
    return list(spec.submodule_search_locations)[0]


def _load_library(package_dir: str) -> ctypes.CDLL:
    path = os.path.join(package_dir, "lib", "libxgboost.so")
    try:
        library = ctypes.CDLL(path)
    except OSError as exc:
        raise XGBoostError(f"cannot load xgboost's library {path}: {exc}; reinstall xgboost-cpu from requirements.txt") from None
    library.XGBGetLastError.argtypes = []
    library.XGBGetLastError.restype = ctypes.c_char_p
    library.XGBoostVersion.argtypes = [ctypes.POINTER(ctypes.c_int)] * 3
    library.XGBoostVersion.restype = None  # void
    library.XGBoosterCreate.argtypes = [ctypes.c_void_p, _ulong, ctypes.POINTER(_handle)]
    library.XGBoosterFree.argtypes = [_handle]
    library.XGBoosterSetParam.argtypes = [_handle, ctypes.c_char_p, ctypes.c_char_p]
    library.XGBoosterLoadModel.argtypes = [_handle, ctypes.c_char_p]
    library.XGBoosterGetNumFeature.argtypes = [_handle, ctypes.POINTER(_ulong)]
    library.XGBoosterGetStrFeatureInfo.argtypes = [_handle, ctypes.c_char_p, ctypes.POINTER(_ulong),
                                                   ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p))]
    library.XGBoosterSaveJsonConfig.argtypes = [_handle, ctypes.POINTER(_ulong), ctypes.POINTER(ctypes.c_char_p)]
    library.XGBoosterPredictFromDense.argtypes = [
        _handle, ctypes.c_char_p, ctypes.c_char_p, _handle,
        ctypes.POINTER(ctypes.POINTER(_ulong)), ctypes.POINTER(_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_float))]
    return library


def _package_version(package_dir: str) -> str:
    with open(os.path.join(package_dir, "VERSION"), encoding="ascii") as handle:
        return handle.read().strip()


_PACKAGE_DIR = _package_dir()
_LIB = _load_library(_PACKAGE_DIR)
VERSION = _package_version(_PACKAGE_DIR)
"""The installed xgboost's version, as ``xgboost.__version__`` reports it."""


def _check(status: int) -> None:
    if status != 0:
        raise XGBoostError(_LIB.XGBGetLastError().decode("utf-8", "replace"))


def _library_version() -> tuple[int, int, int]:
    parts = [ctypes.c_int() for _ in range(3)]
    _LIB.XGBoostVersion(*(ctypes.byref(part) for part in parts))
    return parts[0].value, parts[1].value, parts[2].value


_release = re.match(r"(\d+)\.(\d+)\.(\d+)", VERSION)  # "3.0.5", also "3.0.5rc1" or "3.0.5.post1" (xgboost's _parse_version)
if _release is None or _library_version() != tuple(int(part) for part in _release.groups()):
    raise XGBoostError(f"xgboost's library is version {'.'.join(map(str, _library_version()))} "
                       f"but its package says {VERSION}: reinstall xgboost-cpu from requirements.txt")

# What inplace_predict sends for predict_type="value", iteration_range=(0, 0), missing=NaN, strict_shape=False.
# json.dumps writes NaN for missing, as xgboost's make_jcargs does; xgboost's JSON reader accepts it.
_PREDICT_CONFIG = json.dumps({"type": 0, "training": False, "iteration_begin": 0, "iteration_end": 0,
                              "missing": float("nan"), "strict_shape": False, "cache_id": 0}).encode()


class Booster:
    """A Booster loaded from a model saved as JSON, predicting float32 feature matrices; one call at a time."""

    def __init__(self, model_path: str, nthread: int) -> None:
        self._handle = _handle()
        _check(_LIB.XGBoosterCreate(None, 0, ctypes.byref(self._handle)))
        # Booster() sets validate_parameters; load_model then set_param({"nthread": n}), in that order.
        _check(_LIB.XGBoosterSetParam(self._handle, b"validate_parameters", b"True"))
        _check(_LIB.XGBoosterLoadModel(self._handle, os.fsencode(model_path)))
        _check(_LIB.XGBoosterSetParam(self._handle, b"nthread", str(nthread).encode()))
        self._shape = ctypes.POINTER(_ulong)()
        self._dims = _ulong()
        self._result = ctypes.POINTER(ctypes.c_float)()
        self._out = (ctypes.byref(self._shape), ctypes.byref(self._dims), ctypes.byref(self._result))

    def __del__(self, _free=_LIB.XGBoosterFree) -> None:
        # _free bound at definition: at interpreter shutdown the module's globals may already be gone.
        if getattr(self, "_handle", None):
            _free(self._handle)
            self._handle = None

    def num_features(self) -> int:
        count = _ulong()
        _check(_LIB.XGBoosterGetNumFeature(self._handle, ctypes.byref(count)))
        return count.value

    def feature_names(self) -> list[str] | None:
        """The names the model was trained with, or None when it has none (as ``Booster.feature_names``)."""
        length = _ulong()
        names = ctypes.POINTER(ctypes.c_char_p)()
        _check(_LIB.XGBoosterGetStrFeatureInfo(self._handle, b"feature_name", ctypes.byref(length), ctypes.byref(names)))
        return [names[i].decode("utf-8") for i in range(length.value)] or None

    def config(self) -> dict:
        """The learner's configuration (thread count, objective, ...), as ``Booster.save_config`` returns it."""
        length = _ulong()
        text = ctypes.c_char_p()
        _check(_LIB.XGBoosterSaveJsonConfig(self._handle, ctypes.byref(length), ctypes.byref(text)))
        return json.loads(ctypes.string_at(text, length.value))

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Predictions for an (n, features) matrix, as float32 (a copy: the booster reuses its buffer)."""
        if features.dtype != np.float32 or not features.flags.c_contiguous or not features.flags.aligned or features.ndim != 2:
            if features.ndim != 2:
                raise ValueError(f"features must be a 2-D (rows, features) array, got shape {features.shape}")
            features = np.ascontiguousarray(features, dtype=np.float32)
        rows, columns = features.shape
        # NumPy's __array_interface__ version 3 for a C-contiguous array (strides null), as xgboost's
        # _array_interface writes it; the data pointer is valid while ``features`` lives (this call).
        interface = (f'{{"data":[{features.ctypes.data},{"false" if features.flags.writeable else "true"}],'
                     f'"shape":[{rows},{columns}],"strides":null,"typestr":"<f4","version":3}}').encode()
        _check(_LIB.XGBoosterPredictFromDense(self._handle, interface, _PREDICT_CONFIG, None, *self._out))
        shape = tuple(self._shape[i] for i in range(self._dims.value))
        size = 1
        for extent in shape:
            size *= extent
        return np.frombuffer(ctypes.string_at(self._result, 4 * size), dtype=np.float32).reshape(shape)
