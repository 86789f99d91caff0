"""Prediction through xgboost's C API call ``XGBoosterPredictFromDense``, the one ``Booster.inplace_predict`` makes.

Why: for one record the model itself takes about 0.1 ms, and ``inplace_predict``
adds about 35 us of Python per call (measured, xgboost 3.0.5): a dispatch over a
dozen input kinds (pandas, arrow, polars, cupy, scipy, ...), its JSON config
built with ``json.dumps`` on every call, the input's array interface built the
same way, and the output wrapped through ``ctypes2numpy`` and a second array
interface. The service only ever passes a C-contiguous float32 (n, features)
numpy array and wants the predictions as Python floats, so here the config is
built once, the array interface is one f-string and the output is copied once.

The call, its arguments and the config keys are xgboost's documented C API
(https://xgboost.readthedocs.io/en/release_3.0.0/c.html, ``XGBoosterPredictFromDense``:
``values`` an array interface, ``config`` the JSON of ``type``, ``training``,
``iteration_begin``/``iteration_end``, ``missing``, ``strict_shape``;
``out_result`` owned by the booster, valid until its next prediction) with the
values ``inplace_predict`` passes (python-package/xgboost/core.py, xgboost
3.0.5), so the predictions are the same bits: tests/test_predictor.py checks that
against inplace_predict on the model's records and 2,000 random rows, and the
project's build/serve parity test on every row of the UCI data set. xgboost is
pinned in requirements.txt.
"""

from __future__ import annotations

import ctypes
import json

import numpy as np

from .xgboost_import import xgboost

# xgboost's loaded library and its error check (a non-zero return raises XGBoostError with XGBGetLastError's text).
_LIB = xgboost.core._LIB
_check_call = xgboost.core._check_call
_c_bst_ulong = xgboost.core.c_bst_ulong

# What inplace_predict sends for predict_type="value", iteration_range=(0, 0), missing=NaN, strict_shape=False.
# json.dumps writes NaN for missing, as xgboost's make_jcargs does; xgboost's JSON reader accepts it.
_CONFIG = json.dumps({"type": 0, "training": False, "iteration_begin": 0, "iteration_end": 0,
                      "missing": float("nan"), "strict_shape": False, "cache_id": 0}).encode()


class DensePredictor:
    """Predictions of one Booster for float32 feature matrices; one request at a time (Lambda's model)."""

    def __init__(self, booster: xgboost.Booster) -> None:
        self._booster = booster  # keeps the handle alive
        self._handle = booster.handle
        self._shape = ctypes.POINTER(_c_bst_ulong)()
        self._dims = _c_bst_ulong()
        self._result = ctypes.POINTER(ctypes.c_float)()
        self._out = (ctypes.byref(self._shape), ctypes.byref(self._dims), ctypes.byref(self._result))

    def predict(self, features: np.ndarray) -> np.ndarray:
        """The booster's predictions for an (n, features) matrix, as a float32 array (a copy, the booster's buffer is reused)."""
        if features.dtype != np.float32 or not features.flags.c_contiguous or not features.flags.aligned or features.ndim != 2:
            features = np.ascontiguousarray(features, dtype=np.float32).reshape(features.shape[0], -1)
        rows, columns = features.shape
        # NumPy's __array_interface__ version 3 for a C-contiguous array (strides null): what array_interface() would write.
        interface = (f'{{"data":[{features.ctypes.data},{"false" if features.flags.writeable else "true"}],'
                     f'"shape":[{rows},{columns}],"strides":null,"typestr":"<f4","version":3}}').encode()
        _check_call(_LIB.XGBoosterPredictFromDense(self._handle, interface, _CONFIG, None, *self._out))
        dims = self._dims.value
        shape = tuple(self._shape[i] for i in range(dims))
        size = 1
        for extent in shape:
            size *= extent
        return np.frombuffer(ctypes.string_at(self._result, 4 * size), dtype=np.float32).reshape(shape)
