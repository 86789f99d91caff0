"""pipeline.py: the definition SageMaker receives, built offline.

Uploads of the step scripts are recorded instead of sent, the default bucket is not
checked in S3, telemetry is opted out, and the autouse no_network fixture proves that
building the definition makes no network call at all.
"""

from __future__ import annotations

import json
import os

import boto3
import pytest
from sagemaker import fw_utils
from sagemaker.workflow._utils import EXPERIMENTS_REGIONS
from sagemaker.workflow.pipeline_context import PipelineSession

from pipelines.abalone import pipeline as abalone_pipeline

REGION = "eu-west-1"
BUCKET = "sagemaker-project-p-abcdef012345"
ROLE = "arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole"
PROJECT_NAME = "abalone-Demo"
PROJECT_ID = "p-abcdef012345"
GROUP = f"{PROJECT_NAME}-{PROJECT_ID}"
PIPELINE_NAME = f"sagemaker-{PROJECT_NAME}-{PROJECT_ID}-modelbuild"
OPT_OUT_OF_TELEMETRY = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}


@pytest.fixture(scope="module")
def uploads():
    """Local paths the SDK would upload to S3, by file name."""
    return {}


@pytest.fixture(scope="module")
def offline_session(uploads):
    session = PipelineSession(
        boto_session=boto3.Session(region_name=REGION),
        default_bucket=BUCKET,
        sagemaker_config=OPT_OUT_OF_TELEMETRY,
    )

    def record_upload(path, bucket=None, key_prefix="data", **_kwargs):
        uploads[os.path.basename(path)] = path
        return f"s3://{bucket}/{key_prefix}/{os.path.basename(path)}"

    def record_code_upload(session, bucket, s3_key_prefix, script, directory=None, **_kwargs):
        uploads[os.path.basename(script)] = script
        return fw_utils.UploadedCode(f"s3://{bucket}/{s3_key_prefix}/sourcedir.tar.gz", os.path.basename(script))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session, "_create_s3_bucket_if_it_does_not_exist", lambda **_kwargs: None)
        patch.setattr(session, "upload_data", record_upload)
        patch.setattr("sagemaker.estimator.tar_and_upload_dir", record_code_upload)
        yield session


@pytest.fixture(scope="module")
def definition(offline_session):
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


def parameter_defaults(definition):
    return {p["Name"]: (p["Type"], p.get("DefaultValue")) for p in definition["Parameters"]}


def test_steps_run_preprocess_train_evaluate_then_check_mse(definition):
    assert [(s["Name"], s["Type"]) for s in definition["Steps"]] == [
        ("PreprocessAbaloneData", "Processing"),
        ("TrainAbaloneModel", "Training"),
        ("EvaluateAbaloneModel", "Processing"),
        ("CheckMseAbaloneEvaluation", "Condition"),
    ]


def test_parameters_have_cheap_and_safe_defaults(definition):
    assert parameter_defaults(definition) == {
        "ProcessingInstanceType": ("String", "ml.m5.large"),
        "ProcessingInstanceCount": ("Integer", 1),
        "TrainingInstanceType": ("String", "ml.m5.large"),
        "ModelApprovalStatus": ("String", "PendingManualApproval"),
        "InputDataUrl": ("String", f"s3://{BUCKET}/{abalone_pipeline.INPUT_DATA_KEY}"),
        "MseThreshold": ("Float", abalone_pipeline.DEFAULT_MSE_THRESHOLD),
    }


def test_instance_types_come_from_the_parameters(definition):
    steps = steps_by_name(definition)
    for name in ("PreprocessAbaloneData", "EvaluateAbaloneModel"):
        cluster = steps[name]["Arguments"]["ProcessingResources"]["ClusterConfig"]
        assert cluster["InstanceType"] == {"Get": "Parameters.ProcessingInstanceType"}
    resources = steps["TrainAbaloneModel"]["Arguments"]["ResourceConfig"]
    assert resources["InstanceType"] == {"Get": "Parameters.TrainingInstanceType"}


def test_preprocessing_reads_the_input_data_parameter_and_runs_the_repo_script(definition, uploads):
    arguments = steps_by_name(definition)["PreprocessAbaloneData"]["Arguments"]
    sources = [i["S3Input"]["S3Uri"] for i in arguments["ProcessingInputs"]]
    assert {"Get": "Parameters.InputDataUrl"} in sources
    assert arguments["AppSpecification"]["ContainerEntrypoint"][-1].endswith("/preprocess.py")
    assert uploads["preprocess.py"] == os.path.join(abalone_pipeline.BASE_DIR, "preprocess.py")
    outputs = [o["OutputName"] for o in arguments["ProcessingOutputConfig"]["Outputs"]]
    assert outputs == ["train", "validation", "test", "transform"]


def test_training_uses_the_xgboost_3_0_5_framework_container_in_script_mode(definition, uploads):
    arguments = steps_by_name(definition)["TrainAbaloneModel"]["Arguments"]
    assert arguments["AlgorithmSpecification"]["TrainingImage"].endswith("/sagemaker-xgboost:3.0-5")
    assert arguments["HyperParameters"]["sagemaker_program"] == '"train.py"'
    assert uploads["train.py"] == os.path.join(abalone_pipeline.BASE_DIR, "train.py")
    channels = {c["ChannelName"]: c for c in arguments["InputDataConfig"]}
    assert set(channels) == {"train", "validation", "transform"}
    assert channels["transform"]["DataSource"]["S3DataSource"]["S3Uri"] == {
        "Get": "Steps.PreprocessAbaloneData.ProcessingOutputConfig.Outputs['transform'].S3Output.S3Uri"
    }


def test_evaluation_scores_the_trained_model_with_the_same_xgboost_image(definition, uploads):
    step = steps_by_name(definition)["EvaluateAbaloneModel"]
    assert step["Arguments"]["AppSpecification"]["ImageUri"].endswith("/sagemaker-xgboost:3.0-5")
    sources = [i["S3Input"]["S3Uri"] for i in step["Arguments"]["ProcessingInputs"]]
    assert {"Get": "Steps.TrainAbaloneModel.ModelArtifacts.S3ModelArtifacts"} in sources
    assert step["PropertyFiles"] == [
        {"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ]
    assert uploads["evaluate.py"] == os.path.join(abalone_pipeline.BASE_DIR, "evaluate.py")


def test_condition_compares_test_mse_with_the_threshold_parameter(definition):
    arguments = steps_by_name(definition)["CheckMseAbaloneEvaluation"]["Arguments"]
    (condition,) = arguments["Conditions"]
    assert condition["Type"] == "LessThanOrEqualTo"
    assert condition["LeftValue"]["Std:JsonGet"]["Path"] == "regression_metrics.mse.value"
    assert condition["RightValue"] == {"Get": "Parameters.MseThreshold"}
    assert [s["Type"] for s in arguments["IfSteps"]] == ["RegisterModel"]
    assert [s["Type"] for s in arguments["ElseSteps"]] == ["Fail"]


def test_model_is_registered_in_the_project_group_pending_manual_approval(definition):
    (register,) = [s for s in steps_by_name(definition).values() if s["Type"] == "RegisterModel"]
    arguments = register["Arguments"]
    assert arguments["ModelPackageGroupName"] == GROUP
    assert arguments["ModelApprovalStatus"] == {"Get": "Parameters.ModelApprovalStatus"}
    assert arguments["CustomerMetadataProperties"] == {
        "sagemaker:project-name": PROJECT_NAME,
        "sagemaker:project-id": PROJECT_ID,
    }
    (container,) = arguments["InferenceSpecification"]["Containers"]
    assert container["ModelDataUrl"] == {"Get": "Steps.TrainAbaloneModel.ModelArtifacts.S3ModelArtifacts"}


def test_registered_model_carries_the_evaluation_as_model_metrics(definition):
    (register,) = [s for s in steps_by_name(definition).values() if s["Type"] == "RegisterModel"]
    statistics = register["Arguments"]["ModelMetrics"]["ModelQuality"]["Statistics"]
    assert statistics["ContentType"] == "application/json"
    assert statistics["S3Uri"]["Std:Join"]["Values"] == [
        {"Get": "Steps.EvaluateAbaloneModel.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"},
        "evaluation.json",
    ]


def test_executions_create_no_experiment_or_trial(definition):
    # In these regions the SDK's default would make SageMaker create an experiment and a trial
    # per execution, which the execution role may not do.
    assert REGION in EXPERIMENTS_REGIONS
    assert definition.get("PipelineExperimentConfig") is None
