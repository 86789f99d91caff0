"""The model the suite serves: the artifact named by MODEL_ARTIFACT, or one trained locally.

``MODEL_ARTIFACT=<model.tar.gz or an extracted model directory>`` runs the whole suite on that
artifact (for example the one the build is about to deploy, or a ModelBuild variant with a
feature more or less); every expectation is then derived from its transform.json. Unset, the
suite trains a small model on the sample in data/ (local_model.py). Either way the model lies
where the serving library looks for it (container_compat.model_dir()).
"""

from __future__ import annotations

import functools
import os
import shutil
import tarfile
from pathlib import Path
from typing import Mapping

import container_compat
import local_model

ENV = "MODEL_ARTIFACT"
ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "data" / "abalone-sample.csv"


class ArtifactError(Exception):
    """MODEL_ARTIFACT does not name a usable artifact."""


def requested(env: Mapping[str, str] = os.environ) -> str | None:
    return env.get(ENV, "").strip() or None


def place(target: Path, env: Mapping[str, str] = os.environ) -> str:
    """Put the model into ``target``; return where it came from, for the test report header."""
    value = requested(env)
    if value is None:
        local_model.write_artifact(target, SAMPLE_CSV)
        return f"trained locally from {SAMPLE_CSV.relative_to(ROOT)}"
    source = Path(value)
    target.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    elif source.is_file():
        try:
            with tarfile.open(source, "r:*") as archive:
                # As SageMaker extracts model.tar.gz into /opt/ml/model; "data" refuses links and paths outside.
                archive.extractall(target, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise ArtifactError(f"{ENV}={value}: not a readable model.tar.gz ({exc})") from None
    else:
        raise ArtifactError(f"{ENV}={value}: no such file or directory (give a model.tar.gz or an extracted model directory)")
    return f"{ENV}={value}"


@functools.lru_cache(maxsize=None)
def loaded():
    """inference.model_fn on the placed model: what the endpoint loads, and what the tests derive from."""
    import inference

    return inference.model_fn(str(container_compat.model_dir()))
