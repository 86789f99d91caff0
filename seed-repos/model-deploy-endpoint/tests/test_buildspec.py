import re
from pathlib import Path

import yaml

import fetch_model
import stage_operations

ROOT = Path(__file__).resolve().parent.parent
PROJECT_VARIABLES = ("SAGEMAKER_PROJECT_NAME", "SAGEMAKER_PROJECT_ID", "SAGEMAKER_PROJECT_ARN", "ARTIFACT_BUCKET",
                     "SOURCE_MODEL_PACKAGE_GROUP_NAME", "MODEL_EXECUTION_ROLE_ARN", "EXPORT_TEMPLATE_NAME",
                     "EXPORT_TEMPLATE_STAGING_CONFIG", "EXPORT_TEMPLATE_PROD_CONFIG", "AWS_REGION",
                     "MODEL_PACKAGE_VERSION", "NOTIFICATION_TOPIC_ARN")


def load(name):
    return yaml.safe_load((ROOT / name).read_text())


def commands(spec):
    return [c for phase in spec["phases"].values() for c in phase.get("commands", [])]


def test_build_tests_first_then_resolves_fetches_tests_the_fetched_model_packages_and_exports():
    run = commands(load("buildspec.yml"))
    order = [next(i for i, c in enumerate(run) if marker in c) for marker in
             ("pytest -x", "resolve_model.py", "fetch_model.py", "MODEL_ARTIFACT=build/model.tar.gz python -m pytest -x",
              "package_inference.py", "export_configs.py")]
    assert order == sorted(order)
    # The path the suite serves is the one fetch_model.py writes.
    assert "MODEL_ARTIFACT=" + str(fetch_model.ARTIFACT_FILE.relative_to(ROOT)) + " " in run[order[3]]


def test_build_runs_python_311_without_docker():
    spec = load("buildspec.yml")
    assert spec["phases"]["install"]["runtime-versions"] == {"python": 3.11}
    assert not any("docker" in c for c in commands(spec))


def test_build_artifacts_are_the_template_both_stage_configurations_and_the_models_transform():
    artifacts = load("buildspec.yml")["artifacts"]
    transform = str(fetch_model.TRANSFORM_FILE.relative_to(ROOT))
    assert artifacts["files"] == ["template-export.yml", "staging-config-export.json", "prod-config-export.json", transform]
    # YAML 1.1 "yes": transform.json lands at the artifact's root, where the staging test reads it.
    assert artifacts["discard-paths"] is True


def test_the_header_documents_exactly_the_project_variables():
    text = (ROOT / "buildspec.yml").read_text()
    for variable in PROJECT_VARIABLES:
        assert variable in text


def test_scripts_read_only_variables_the_project_provides():
    # Every quoted UPPER_CASE name in the scripts is an environment variable, but the traffic routings of a config.
    used = set()
    for script in (ROOT / "scripts").glob("*.py"):
        used |= set(re.findall(r'"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"', script.read_text()))
    used -= set(stage_operations.TRAFFIC_ROUTINGS)
    assert used <= set(PROJECT_VARIABLES) | {"STAGING_ENDPOINT_NAME", "MODEL_TRANSFORM_FILE"}
    assert {"SOURCE_MODEL_PACKAGE_GROUP_NAME", "ARTIFACT_BUCKET", "MODEL_EXECUTION_ROLE_ARN"} <= used


def test_staging_test_runs_the_smoke_test_on_the_transform_of_the_build_output():
    # The build's output artifact is the staging test's secondary input named Build: CODEBUILD_SRC_DIR_Build.
    assert commands(load("buildspec-staging-test.yml"))[-1] == (
        'MODEL_TRANSFORM_FILE="$CODEBUILD_SRC_DIR_Build/transform.json" python scripts/smoke_test.py')
