"""What sagemaker-containers 2.8.6.post2 needs before it imports, done as the XGBoost image does.

1. Python 3.10 removed the ABC aliases from ``collections``; ``sagemaker_containers/_mapping.py``
   still subclasses ``collections.Mapping`` (its only such use; ``_functions.getargspec`` uses
   ``inspect.ArgSpec``, gone in 3.11, but only for training, never while serving). The 3.0-5
   image rewrites the installed file: aws/sagemaker-xgboost-container
   ``docker/3.0-5/final/Dockerfile.cpu`` runs
   ``sed -i 's/collections\\.Mapping/collections.abc.Mapping/g' .../sagemaker_containers/_mapping.py``.
   The tests do not edit installed files; they alias the same class before the first import,
   which gives ``_mapping.MappingMixin`` the same base.
2. ``sagemaker_containers/_env.py`` reads ``SAGEMAKER_BASE_DIR`` (default ``/opt/ml``) once, at
   import, and without it and without /opt/ml creates ``~/sagemaker_local/jobs/<time>/opt/ml``.
   The tests give it a temporary directory instead, with the model under ``<base>/model``
   (``_env.model_dir``), as SageMaker extracts model.tar.gz to /opt/ml/model.
"""

from __future__ import annotations

import collections
import collections.abc
import os
from pathlib import Path

BASE_DIR_ENV = "SAGEMAKER_BASE_DIR"


def alias_collections_abcs() -> None:
    if not hasattr(collections, "Mapping"):
        collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]


def model_dir() -> Path:
    """Where the library looks for the model: ``_env.model_dir`` = ``$SAGEMAKER_BASE_DIR/model``."""
    return Path(os.environ[BASE_DIR_ENV]) / "model"
