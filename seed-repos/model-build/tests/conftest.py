"""Shared fixtures: the committed data, its preprocessed and trained forms, an offline session.

Everything runs offline: an autouse fixture refuses network connections, so a test that
would reach AWS (or the SDK's telemetry) fails instead of passing by luck.

Before anything imports sagemaker_containers (the XGBoost container's serving library, used by
tests/test_inference.py), this file gives it a temporary /opt/ml (container_compat.py).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import container_compat

container_compat.alias_collections_abcs()
os.environ[container_compat.BASE_DIR_ENV] = tempfile.mkdtemp(prefix="sagemaker-base-")

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_CSV = REPO_ROOT / "data" / "abalone.csv"
STEP_SCRIPTS = REPO_ROOT / "pipelines" / "abalone"

# The SDK reads these; fake values keep botocore from looking for real credentials.
os.environ.update(
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    SAGEMAKER_SUPPRESS_V2_WARNING="1",
)
for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
    os.environ.pop(name, None)


@pytest.fixture(autouse=True, scope="session")
def no_network():
    def refuse(*_args, **_kwargs):
        raise OSError("tests must not use the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        yield


def run_script(script: str, *args: str, env: "dict[str, str] | None" = None) -> subprocess.CompletedProcess:
    """Run a step script the way its container does: `python3 <script> <args>`."""
    return subprocess.run(
        [sys.executable, str(STEP_SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture(scope="session")
def preprocessed(tmp_path_factory) -> Path:
    """data/abalone.csv run through preprocess.py: train/, validation/, test/, transform/."""
    out = tmp_path_factory.mktemp("preprocessed")
    result = run_script("preprocess.py", "--input", str(DATA_CSV), "--output-dir", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def model_dir(preprocessed, tmp_path_factory) -> Path:
    """train.py run on the preprocessed data with default hyperparameters, located by SM_* variables."""
    out = tmp_path_factory.mktemp("model")
    result = run_script(
        "train.py",
        env={
            "SM_MODEL_DIR": str(out),
            "SM_CHANNEL_TRAIN": str(preprocessed / "train"),
            "SM_CHANNEL_VALIDATION": str(preprocessed / "validation"),
            "SM_CHANNEL_TRANSFORM": str(preprocessed / "transform"),
        },
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def model_archive(model_dir, tmp_path_factory) -> Path:
    """model.tar.gz as SageMaker packs the model directory: its files at the archive root."""
    from pipelines.abalone.build_local_artifact import pack_model_dir

    archive = tmp_path_factory.mktemp("artifact") / "model.tar.gz"
    pack_model_dir(model_dir, archive)
    return archive


def pytest_unconfigure(config):
    shutil.rmtree(os.environ[container_compat.BASE_DIR_ENV], ignore_errors=True)


# --- the pipeline definition, built offline ------------------------------------------------------

REGION = "eu-west-1"
BUCKET = "sagemaker-project-p-abcdef012345"
ROLE = "arn:aws:iam::111122223333:role/sagemaker-p-abcdef012345-pipeline-execution"
PROJECT_NAME = "abalone-Demo"
PROJECT_ID = "p-abcdef012345"
GROUP = f"{PROJECT_NAME}-{PROJECT_ID}"
# The SageMaker pipeline is <name>-<id>; sagemaker-<name>-<id>-modelbuild is the CodePipeline.
PIPELINE_NAME = f"{PROJECT_NAME}-{PROJECT_ID}"
OPT_OUT_OF_TELEMETRY = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}


class LocalS3:
    """Stands for boto3's S3 resource in fw_utils.tar_and_upload_dir: Object(...).upload_file keeps a copy."""

    def __init__(self, root: Path, objects: dict) -> None:
        self.root, self.objects = root, objects

    def Object(self, bucket, key):  # noqa: N802 (boto3's name)
        target = self.root / bucket / key

        class _Object:
            def upload_file(_self, filename, ExtraArgs=None):  # noqa: N803, N805
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(filename, target)
                self.objects[f"s3://{bucket}/{key}"] = {"path": target, "extra_args": ExtraArgs}

        return _Object()


@pytest.fixture(scope="session")
def uploads():
    """Local paths the SDK would upload to S3, by file name."""
    return {}


@pytest.fixture(scope="session")
def s3_objects():
    """What the real tar_and_upload_dir uploaded for the registered model: S3 URL -> local copy."""
    return {}


@pytest.fixture(scope="session")
def offline_session(uploads, s3_objects, tmp_path_factory):
    import boto3
    from sagemaker import fw_utils
    from sagemaker.workflow.pipeline_context import PipelineSession

    session = PipelineSession(
        boto_session=boto3.Session(region_name=REGION),
        default_bucket=BUCKET,
        sagemaker_config=OPT_OUT_OF_TELEMETRY,
    )
    local_s3 = LocalS3(tmp_path_factory.mktemp("s3"), s3_objects)
    real_tar_and_upload_dir = fw_utils.tar_and_upload_dir

    def record_upload(path, bucket=None, key_prefix="data", **_kwargs):
        uploads[os.path.basename(path)] = path
        return f"s3://{bucket}/{key_prefix}/{os.path.basename(path)}"

    def record_code_upload(session, bucket, s3_key_prefix, script, directory=None, **_kwargs):
        uploads[os.path.basename(script)] = script
        return fw_utils.UploadedCode(f"s3://{bucket}/{s3_key_prefix}/sourcedir.tar.gz", os.path.basename(script))

    def pack_model_code(*args, **kwargs):
        """The SDK's own packing of the model's code; only the upload is local."""
        uploads[os.path.basename(kwargs["script"])] = kwargs["script"]
        return real_tar_and_upload_dir(*args, **kwargs, s3_resource=local_s3)

    # On this session object only; the SDK's module functions are patched while the definition is built.
    session._create_s3_bucket_if_it_does_not_exist = lambda **_kwargs: None
    session.upload_data = record_upload
    session.offline_code_uploads = {
        "sagemaker.estimator.tar_and_upload_dir": record_code_upload,
        "sagemaker.fw_utils.tar_and_upload_dir": pack_model_code,
    }
    return session


@pytest.fixture(scope="session")
def definition(offline_session):
    from pipelines.abalone import pipeline as abalone_pipeline

    with pytest.MonkeyPatch.context() as patch:
        for target, replacement in offline_session.offline_code_uploads.items():
            patch.setattr(target, replacement)
        built = abalone_pipeline.get_pipeline(
            region=REGION,
            role=ROLE,
            default_bucket=BUCKET,
            model_package_group_name=GROUP,
            pipeline_name=PIPELINE_NAME,
            base_job_prefix="abalone",
            project_name=PROJECT_NAME,
            project_id=PROJECT_ID,
            sagemaker_session=offline_session,
        )
        return json.loads(built.definition())


def steps_by_name(definition):
    found = {}
    for step in definition["Steps"]:
        found[step["Name"]] = step
        for branch in ("IfSteps", "ElseSteps"):
            for inner in step["Arguments"].get(branch, []):
                found[inner["Name"]] = inner
    return found


@pytest.fixture(scope="session")
def registered_container(definition):
    """The one container of the registered model package's InferenceSpecification."""
    (register,) = [s for s in steps_by_name(definition).values() if s["Type"] == "RegisterModel"]
    (container,) = register["Arguments"]["InferenceSpecification"]["Containers"]
    return container
