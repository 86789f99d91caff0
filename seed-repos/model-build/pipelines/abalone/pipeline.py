"""The Abalone SageMaker Pipeline: preprocess → train → evaluate → (MSE ok?) → register.

Built with the SageMaker Python SDK v2 (``sagemaker.workflow``). ``get_pipeline`` only
describes the pipeline; ``pipelines/run_pipeline.py`` creates or updates it in SageMaker
and starts an execution.

Step scripts (preprocess.py, train.py, evaluate.py) sit next to this file and are uploaded
by the SDK when the pipeline definition is built.
"""

from __future__ import annotations

import os
from typing import Optional

import boto3
from sagemaker import image_uris
from sagemaker.inputs import TrainingInput
from sagemaker.model_metrics import MetricsSource, ModelMetrics
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.session import Session
from sagemaker.sklearn.processing import SKLearnProcessor
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionLessThanOrEqualTo
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.steps import ProcessingStep, TrainingStep
from sagemaker.workflow.utilities import get_training_code_hash
from sagemaker.xgboost.estimator import XGBoost
from sagemaker.xgboost.model import XGBoostModel

BASE_DIR = os.path.dirname(os.path.realpath(__file__))

# The SageMaker XGBoost framework container; its xgboost (3.0.5) is the one pinned in
# requirements-dev.txt and the one the inference service uses.
XGBOOST_FRAMEWORK_VERSION = "3.0-5"
# Preprocessing needs numpy only; the scikit-learn processing container has it.
SKLEARN_FRAMEWORK_VERSION = "1.2-1"

# Where buildspec.yml uploads data/abalone.csv in the project's artifact bucket.
INPUT_DATA_KEY = "data/abalone/abalone.csv"
DEFAULT_INSTANCE_TYPE = "ml.m5.large"
# The quality bar, in rings, configured here only: the tests hold the default hyperparameters to
# it on the test split, and the pipeline registers a model only if its test MSE is within its square.
MAX_TEST_RMSE = 2.3
DEFAULT_MSE_THRESHOLD = round(MAX_TEST_RMSE**2, 6)  # 5.29
PENDING_MANUAL_APPROVAL = "PendingManualApproval"

# What the registered model package says it serves (pipelines/abalone/inference.py answers both
# types in both directions; every CPU instance type runs the XGBoost image).
SERVING_CONTENT_TYPES = ["text/csv", "application/json"]
INFERENCE_INSTANCE_TYPES = ["ml.t2.medium", "ml.m5.large", "ml.m5.xlarge", "ml.c5.large", "ml.c5.xlarge"]
TRANSFORM_INSTANCE_TYPES = ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge"]

PROCESSING_DIR = "/opt/ml/processing"
EVALUATION_FILE = "evaluation.json"
# The condition step reads this path of evaluation.json (written by evaluate.py).
MSE_JSON_PATH = "regression_metrics.mse.value"


def get_session(region: str, default_bucket: str) -> PipelineSession:
    """A PipelineSession: steps are recorded into the definition instead of being run."""
    return PipelineSession(boto_session=boto3.Session(region_name=region), default_bucket=default_bucket)


def get_pipeline(
    region: str,
    role: str,
    default_bucket: str,
    model_package_group_name: str,
    pipeline_name: str,
    base_job_prefix: str,
    project_name: Optional[str] = None,
    project_id: Optional[str] = None,
    sagemaker_session: Optional[Session] = None,
) -> Pipeline:
    """Describe the Abalone pipeline.

    ``default_bucket`` is the project's artifact bucket: input data default, code and
    step outputs live there. ``model_package_group_name`` is ``<project name>-<project id>``.
    ``project_name`` and ``project_id`` are recorded on every registered model package.
    """
    session = sagemaker_session or get_session(region, default_bucket)

    # --- parameters: each can be overridden per execution (run_pipeline.py --parameters).
    processing_instance_type = ParameterString("ProcessingInstanceType", default_value=DEFAULT_INSTANCE_TYPE)
    processing_instance_count = ParameterInteger("ProcessingInstanceCount", default_value=1)
    training_instance_type = ParameterString("TrainingInstanceType", default_value=DEFAULT_INSTANCE_TYPE)
    model_approval_status = ParameterString("ModelApprovalStatus", default_value=PENDING_MANUAL_APPROVAL)
    input_data = ParameterString("InputDataUrl", default_value=f"s3://{default_bucket}/{INPUT_DATA_KEY}")
    mse_threshold = ParameterFloat("MseThreshold", default_value=DEFAULT_MSE_THRESHOLD)

    # --- preprocess: validate, split, fit transform.json on the train split.
    preprocessor = SKLearnProcessor(
        framework_version=SKLEARN_FRAMEWORK_VERSION,
        instance_type=processing_instance_type,
        instance_count=processing_instance_count,
        base_job_name=f"{base_job_prefix}-preprocess",
        role=role,
        sagemaker_session=session,
    )
    step_preprocess = ProcessingStep(
        name="PreprocessAbaloneData",
        step_args=preprocessor.run(
            code=os.path.join(BASE_DIR, "preprocess.py"),
            inputs=[ProcessingInput(source=input_data, destination=f"{PROCESSING_DIR}/input")],
            outputs=[
                ProcessingOutput(output_name=name, source=f"{PROCESSING_DIR}/{name}")
                for name in ("train", "validation", "test", "transform")
            ],
            arguments=["--input", f"{PROCESSING_DIR}/input", "--output-dir", PROCESSING_DIR],
        ),
    )
    outputs = step_preprocess.properties.ProcessingOutputConfig.Outputs

    # --- train: script mode, so train.py can also run locally and in the tests.
    estimator = XGBoost(
        entry_point=os.path.join(BASE_DIR, "train.py"),
        framework_version=XGBOOST_FRAMEWORK_VERSION,
        py_version="py3",
        instance_type=training_instance_type,
        instance_count=1,
        base_job_name=f"{base_job_prefix}-train",
        output_path=f"s3://{default_bucket}/{base_job_prefix}/models",
        # A small tabular job: the debugger and profiler would only add cost and noise.
        debugger_hook_config=False,
        disable_profiler=True,
        role=role,
        sagemaker_session=session,
    )
    step_train = TrainingStep(
        name="TrainAbaloneModel",
        step_args=estimator.fit(
            inputs={
                "train": TrainingInput(outputs["train"].S3Output.S3Uri, content_type="text/csv"),
                "validation": TrainingInput(outputs["validation"].S3Output.S3Uri, content_type="text/csv"),
                "transform": TrainingInput(
                    outputs["transform"].S3Output.S3Uri, content_type="application/json"
                ),
            }
        ),
    )
    model_data = step_train.properties.ModelArtifacts.S3ModelArtifacts
    xgboost_image = image_uris.retrieve(
        framework="xgboost",
        region=region,
        version=XGBOOST_FRAMEWORK_VERSION,
        py_version="py3",
        instance_type=DEFAULT_INSTANCE_TYPE,
    )

    # --- evaluate: score the test split with the same xgboost that trained.
    evaluator = ScriptProcessor(
        image_uri=xgboost_image,
        command=["python3"],
        instance_type=processing_instance_type,
        instance_count=1,
        base_job_name=f"{base_job_prefix}-evaluate",
        role=role,
        sagemaker_session=session,
    )
    evaluation_report = PropertyFile(name="EvaluationReport", output_name="evaluation", path=EVALUATION_FILE)
    step_evaluate = ProcessingStep(
        name="EvaluateAbaloneModel",
        step_args=evaluator.run(
            code=os.path.join(BASE_DIR, "evaluate.py"),
            inputs=[
                ProcessingInput(source=model_data, destination=f"{PROCESSING_DIR}/model"),
                ProcessingInput(source=outputs["test"].S3Output.S3Uri, destination=f"{PROCESSING_DIR}/test"),
            ],
            outputs=[ProcessingOutput(output_name="evaluation", source=f"{PROCESSING_DIR}/evaluation")],
            arguments=[
                "--model", f"{PROCESSING_DIR}/model/model.tar.gz",
                "--test-dir", f"{PROCESSING_DIR}/test",
                "--output-dir", f"{PROCESSING_DIR}/evaluation",
            ],
        ),
        property_files=[evaluation_report],
    )

    # --- register: the model package the ModelDeploy repo builds its service from.
    evaluation_uri = step_evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri
    model_metrics = ModelMetrics(
        model_statistics=MetricsSource(
            s3_uri=Join(on="/", values=[evaluation_uri, EVALUATION_FILE]),
            content_type="application/json",
        )
    )
    # Registered in script mode with inference.py, so the package deploys as registered (Studio
    # "Deploy", batch transform): XGBoostModel.prepare_container_def uploads the script as
    # sourcedir.tar.gz and sets SAGEMAKER_PROGRAM / SAGEMAKER_SUBMIT_DIRECTORY (sagemaker/model.py,
    # _script_mode_env_vars). The key is <code_location>/<name>/sourcedir.tar.gz
    # (fw_utils.model_code_key_prefix); naming the model after the script's hash, computed as the SDK
    # does for the training code, gives <pipeline>/code/<hash>/sourcedir.tar.gz: a registered version
    # keeps its code, and a build with an unchanged script rewrites the same object.
    serving_script = os.path.join(BASE_DIR, "inference.py")
    model = XGBoostModel(
        model_data=model_data,
        role=role,
        entry_point=serving_script,
        framework_version=XGBOOST_FRAMEWORK_VERSION,
        py_version="py3",
        image_uri=xgboost_image,
        code_location=f"s3://{default_bucket}/{pipeline_name}/code",
        name=get_training_code_hash(serving_script, None, []),
        sagemaker_session=session,
    )
    project_metadata = {
        key: value
        for key, value in (("sagemaker:project-name", project_name), ("sagemaker:project-id", project_id))
        if value
    }
    step_register = ModelStep(
        name="RegisterAbaloneModel",
        step_args=model.register(
            content_types=SERVING_CONTENT_TYPES,
            response_types=SERVING_CONTENT_TYPES,
            inference_instances=INFERENCE_INSTANCE_TYPES,
            transform_instances=TRANSFORM_INSTANCE_TYPES,
            model_package_group_name=model_package_group_name,
            approval_status=model_approval_status,
            model_metrics=model_metrics,
            customer_metadata_properties=project_metadata or None,
        ),
    )

    step_fail = FailStep(
        name="FailOnHighMse",
        error_message=Join(on=" ", values=["Model not registered: test MSE is above MseThreshold", mse_threshold]),
    )
    step_check_mse = ConditionStep(
        name="CheckMseAbaloneEvaluation",
        conditions=[
            ConditionLessThanOrEqualTo(
                left=JsonGet(step_name=step_evaluate.name, property_file=evaluation_report, json_path=MSE_JSON_PATH),
                right=mse_threshold,
            )
        ],
        if_steps=[step_register],
        else_steps=[step_fail],
    )

    return Pipeline(
        name=pipeline_name,
        parameters=[
            processing_instance_type,
            processing_instance_count,
            training_instance_type,
            model_approval_status,
            input_data,
            mse_threshold,
        ],
        steps=[step_preprocess, step_train, step_evaluate, step_check_mse],
        # No experiment+trial per run (role lacks CreateExperiment/CreateTrial); sagemaker/workflow/pipeline.py definition() writes null
        pipeline_experiment_config=None,
        sagemaker_session=session,
    )
