"""pipeline.py: the definition SageMaker receives, built offline.

Uploads of the step scripts are recorded instead of sent, the default bucket is not
checked in S3, telemetry is opted out, and the autouse no_network fixture proves that
building the definition makes no network call at all.
"""

from __future__ import annotations

import os
import re
import tarfile
from pathlib import Path

from sagemaker.workflow._utils import EXPERIMENTS_REGIONS
from sagemaker.workflow.utilities import hash_files_or_dirs

from conftest import BUCKET, GROUP, PIPELINE_NAME, PROJECT_ID, PROJECT_NAME, REGION, steps_by_name
from pipelines.abalone import pipeline as abalone_pipeline


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


def test_registered_model_serves_inference_py_in_script_mode_of_the_training_image(definition, registered_container):
    """Without SAGEMAKER_PROGRAM the image serves in algorithm mode and loads every file of the
    artifact as a booster (serve_utils.get_loaded_booster), so the package would not deploy."""
    training = steps_by_name(definition)["TrainAbaloneModel"]["Arguments"]["AlgorithmSpecification"]
    assert registered_container["Image"] == training["TrainingImage"]
    assert registered_container["Image"].endswith("/sagemaker-xgboost:3.0-5")
    assert registered_container["Framework"] == "XGBOOST"
    environment = registered_container["Environment"]
    assert {k: v for k, v in environment.items() if k != "SAGEMAKER_SUBMIT_DIRECTORY"} == {
        "SAGEMAKER_PROGRAM": "inference.py",
        "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
        "SAGEMAKER_REGION": REGION,
    }
    assert environment["SAGEMAKER_SUBMIT_DIRECTORY"].startswith(f"s3://{BUCKET}/")


def test_the_serving_code_is_content_addressed_next_to_the_training_code(registered_container, s3_objects, tmp_path):
    """A registered version keeps the code it was registered with: a new script gets a new key."""
    url = registered_container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"]
    assert re.fullmatch(rf"s3://{BUCKET}/{PIPELINE_NAME}/code/[0-9a-f]{{64}}/sourcedir\.tar\.gz", url)
    digest = url.split("/")[-2]
    script = Path(abalone_pipeline.BASE_DIR) / "inference.py"
    # The SDK's content hash, as for the training code's key.
    assert digest == hash_files_or_dirs([str(script)])
    edited = tmp_path / "inference.py"
    edited.write_bytes(script.read_bytes() + b"# edited\n")
    assert hash_files_or_dirs([str(edited)]) != digest
    uploaded = s3_objects[url]
    assert uploaded["extra_args"] == {"ServerSideEncryption": "aws:kms"}
    with tarfile.open(uploaded["path"]) as archive:
        assert archive.getnames() == ["inference.py"]
        assert archive.extractfile("inference.py").read() == script.read_bytes()


def test_registered_model_advertises_what_inference_py_answers(definition):
    (register,) = [s for s in steps_by_name(definition).values() if s["Type"] == "RegisterModel"]
    specification = register["Arguments"]["InferenceSpecification"]
    assert specification["SupportedContentTypes"] == ["text/csv", "application/json"]
    assert specification["SupportedResponseMIMETypes"] == ["text/csv", "application/json"]
    assert specification["SupportedRealtimeInferenceInstanceTypes"] == abalone_pipeline.INFERENCE_INSTANCE_TYPES
    assert specification["SupportedTransformInstanceTypes"] == abalone_pipeline.TRANSFORM_INSTANCE_TYPES
    # CPU instance families only: the image is the CPU build (GPU would need the -gpu tag handling).
    for instance_type in specification["SupportedRealtimeInferenceInstanceTypes"] + specification["SupportedTransformInstanceTypes"]:
        assert re.fullmatch(r"ml\.(t2|t3|m5|c5)\.\w+", instance_type), instance_type


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
