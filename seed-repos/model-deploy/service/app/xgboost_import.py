"""Import xgboost for numpy-only prediction, without the modules that path never runs.

Why: cold start. ``import xgboost`` costs about a second, two thirds of it in
scipy: ``xgboost.core`` imports ``scipy.sparse`` for sparse (CSR) inputs, and the
scikit-learn wrapper and plotting modules import ``scipy.special``. This
service only ever calls ``Booster.inplace_predict`` on a dense float32 numpy
array, a branch that returns before any scipy check. Skipping those imports
cuts the handler's init to about a third (see benchmark/benchmark.py).

How: while xgboost imports, ``scipy.sparse`` is a placeholder whose
``csr_matrix`` no numpy array is an instance of, and ``xgboost.sklearn`` /
``xgboost.plotting`` are marked absent (xgboost's own ``__init__`` treats them
as optional and skips them on ImportError). The placeholders are removed from
``sys.modules`` right after, so any later ``import scipy.sparse`` (and xgboost's
own sparse code path, through scipy's lazy submodule loading) gets the real
module. xgboost is pinned in requirements.txt; the tests and the image build
(``RUN python -c "import app.handler"``) check that this still holds.

If xgboost is already imported (e.g. by a test or a notebook), it is used as is.
"""

from __future__ import annotations

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
    already_present = {name for name in substitutes if name in sys.modules}
    for name, module in substitutes.items():
        sys.modules.setdefault(name, module)
    try:
        import xgboost
    finally:
        for name in substitutes.keys() - already_present:
            del sys.modules[name]
    return xgboost


xgboost = _import_xgboost_without_scipy_extras()
