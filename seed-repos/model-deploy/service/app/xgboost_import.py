"""Import xgboost for numpy-only prediction, without the modules that path never runs, and without scipy installed.

Why: image size and cold start. xgboost-cpu declares scipy as a dependency, but
this service never passes it a scipy object, so the image installs xgboost-cpu
with ``--no-deps`` and no scipy (112 MB of the 186 MB; scripts/compare_without_scipy.py
shows the predictions are bit-identical without it). Cold start: ``import xgboost`` costs about a second, two thirds of it in
scipy: ``xgboost.core`` imports ``scipy.sparse`` for sparse (CSR) inputs, and the
scikit-learn wrapper and plotting modules import ``scipy.special``. This
service only ever predicts from a dense float32 numpy array, through the C call
``Booster.inplace_predict`` makes for one (app/predictor.py), which never reaches a scipy check. Skipping those imports
cuts the handler's init to about a third (see benchmark/benchmark.py).

How: while xgboost imports, ``scipy.sparse`` is a placeholder whose
``csr_matrix`` no numpy array is an instance of, and ``xgboost.sklearn`` /
``xgboost.plotting`` are marked absent (xgboost's own ``__init__`` treats them
as optional and skips them on ImportError). The placeholders are removed from
``sys.modules`` right after, so any later ``import scipy.sparse`` (and xgboost's
own sparse code path, through scipy's lazy submodule loading) gets the real
module. When scipy is not installed at all (the image), a placeholder ``scipy``
package holds the placeholder ``sparse`` for xgboost.core's ``import scipy.sparse``,
the one import of scipy xgboost makes unconditionally; every other scipy use in
xgboost is inside a function and guarded by ``except ImportError``.
xgboost is pinned in requirements.txt; the tests and the image build
(``RUN python -c "import app.handler"``) check that this still holds.

If xgboost is already imported (e.g. by a test or a notebook), it is used as is.
"""

from __future__ import annotations

import importlib.util
import sys
import types


class _NoSparseInput:
    """Stands in for scipy.sparse.csr_matrix: nothing the service passes is one."""


def _import_xgboost_without_scipy_extras() -> types.ModuleType:
    if "xgboost" in sys.modules:
        return sys.modules["xgboost"]
    placeholder = types.ModuleType("scipy.sparse", "placeholder used while xgboost imports; see app/xgboost_import.py")
    placeholder.csr_matrix = _NoSparseInput  # type: ignore[attr-defined]
    substitutes = {"scipy.sparse": placeholder, "xgboost.sklearn": None, "xgboost.plotting": None}
    # find_spec is None when scipy is not installed, and also when sys.modules["scipy"] is None (import blocked).
    scipy_missing = sys.modules.get("scipy") is None and importlib.util.find_spec("scipy") is None
    if scipy_missing:
        parent = types.ModuleType("scipy", "placeholder: scipy is not installed; see app/xgboost_import.py")
        parent.sparse = placeholder  # type: ignore[attr-defined]
        substitutes["scipy"] = parent
    saved = {name: sys.modules[name] for name in substitutes if name in sys.modules}
    for name, module in substitutes.items():
        if name not in saved or (name == "scipy" and scipy_missing):
            sys.modules[name] = module
    try:
        import xgboost
    finally:
        for name in substitutes:
            if name in saved:
                sys.modules[name] = saved[name]
            else:
                del sys.modules[name]
    return xgboost


xgboost = _import_xgboost_without_scipy_extras()
