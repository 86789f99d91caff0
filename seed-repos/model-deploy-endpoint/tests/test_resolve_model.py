import json
from datetime import datetime, timezone

import pytest
from botocore.stub import Stubber

import resolve_model
from aws_clients import offline_client
from cli import CliError

GROUP = "abalone-p-abcdefghijkl"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
LIST_PARAMS = {"ModelPackageGroupName": GROUP, "ModelApprovalStatus": "Approved",
               "SortBy": "CreationTime", "SortOrder": "Descending"}


def summary(version: int, day: int) -> dict:
    return {"ModelPackageArn": f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{GROUP}/{version}",
            "ModelPackageGroupName": GROUP, "ModelPackageVersion": version,
            "CreationTime": datetime(2025, 1, day, tzinfo=timezone.utc), "ModelPackageStatus": "Completed",
            "ModelApprovalStatus": "Approved"}


def described(version: int, image: str = IMAGE, data: str = "s3://sagemaker-project-p-abcdefghijkl/model/model.tar.gz") -> dict:
    return {"ModelPackageName": GROUP, "ModelPackageGroupName": GROUP, "ModelPackageVersion": version,
            "ModelPackageArn": summary(version, 1)["ModelPackageArn"], "CreationTime": datetime(2025, 1, 1),
            "ModelPackageStatus": "Completed", "ModelApprovalStatus": "Approved",
            "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
            "InferenceSpecification": {"Containers": [{"Image": image, "ModelDataUrl": data}],
                                       "SupportedContentTypes": ["application/json"],
                                       "SupportedResponseMIMETypes": ["application/json"]}}


@pytest.fixture
def sagemaker():
    client = offline_client("sagemaker")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_the_newest_approved_package_wins_across_pages(sagemaker):
    client, stubber = sagemaker
    # Page order deliberately not newest-first: the answer must not depend on it.
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": [summary(3, 3), summary(2, 2)], "NextToken": "t"}, LIST_PARAMS)
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": [summary(5, 5), summary(1, 1)]}, {**LIST_PARAMS, "NextToken": "t"})
    stubber.add_response("describe_model_package", described(5), {"ModelPackageName": summary(5, 5)["ModelPackageArn"]})
    model = resolve_model.resolve_approved_model(client, GROUP)
    assert model == {"packageArn": summary(5, 5)["ModelPackageArn"], "packageGroupName": GROUP, "version": 5,
                     "imageUri": IMAGE, "modelDataUrl": "s3://sagemaker-project-p-abcdefghijkl/model/model.tar.gz",
                     "creationTime": "2025-01-05T00:00:00+00:00"}


def test_fails_clearly_when_no_package_is_approved(sagemaker):
    client, stubber = sagemaker
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []}, LIST_PARAMS)
    with pytest.raises(CliError, match=f'no Approved model package in model package group "{GROUP}"'):
        resolve_model.resolve_approved_model(client, GROUP)


@pytest.mark.parametrize("image", [
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3-cpu-py311",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model:latest",
    "docker.io/library/xgboost:latest",
])
def test_fails_clearly_when_the_image_is_not_an_xgboost_framework_image(sagemaker, image):
    client, stubber = sagemaker
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": [summary(1, 1)]}, LIST_PARAMS)
    stubber.add_response("describe_model_package", described(1, image=image), {"ModelPackageName": summary(1, 1)["ModelPackageArn"]})
    with pytest.raises(CliError, match="is not a SageMaker XGBoost framework image"):
        resolve_model.resolve_approved_model(client, GROUP)


def test_fails_clearly_when_model_data_is_not_in_s3(sagemaker):
    client, stubber = sagemaker
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": [summary(1, 1)]}, LIST_PARAMS)
    stubber.add_response("describe_model_package", described(1, data="https://example.com/model.tar.gz"),
                         {"ModelPackageName": summary(1, 1)["ModelPackageArn"]})
    with pytest.raises(CliError, match="ModelDataUrl"):
        resolve_model.resolve_approved_model(client, GROUP)


def test_main_writes_the_model_file(sagemaker, tmp_path, capsys):
    client, stubber = sagemaker
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": [summary(2, 2)]}, LIST_PARAMS)
    stubber.add_response("describe_model_package", described(2), {"ModelPackageName": summary(2, 2)["ModelPackageArn"]})
    out = tmp_path / "model.json"
    assert resolve_model.main(["--output", str(out)], env={"SOURCE_MODEL_PACKAGE_GROUP_NAME": GROUP}, client=client) == 0
    assert json.loads(out.read_text())["version"] == 2
    assert "version 2" in capsys.readouterr().out


def test_main_without_the_group_variable_prints_one_line_and_exits_1(capsys):
    assert resolve_model.main([], env={}, client=object()) == 1
    err = capsys.readouterr().err
    assert err == "resolve_model: error: environment variable SOURCE_MODEL_PACKAGE_GROUP_NAME is not set (the model package group to deploy from)\n"


def test_main_reports_an_aws_error_in_one_line(sagemaker, capsys):
    client, stubber = sagemaker
    stubber.add_client_error("list_model_packages", "AccessDeniedException", "not authorized", 400, expected_params=LIST_PARAMS)
    assert resolve_model.main(["--output", "/dev/null"], env={"SOURCE_MODEL_PACKAGE_GROUP_NAME": GROUP}, client=client) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "AccessDeniedException: not authorized" in err and "Traceback" not in err


def test_a_rollback_deploys_the_asked_for_approved_version_instead_of_the_newest(sagemaker, tmp_path):
    client, stubber = sagemaker
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": [summary(5, 5), summary(3, 3)]}, LIST_PARAMS)
    stubber.add_response("describe_model_package", described(3), {"ModelPackageName": summary(3, 3)["ModelPackageArn"]})
    out = tmp_path / "model.json"
    env = {"SOURCE_MODEL_PACKAGE_GROUP_NAME": GROUP, "MODEL_PACKAGE_VERSION": "3"}
    assert resolve_model.main(["--output", str(out)], env=env, client=client) == 0
    assert json.loads(out.read_text())["version"] == 3


def test_a_rollback_to_a_version_that_is_not_approved_is_refused_in_one_line(sagemaker, capsys):
    client, stubber = sagemaker
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": [summary(5, 5)]}, LIST_PARAMS)
    env = {"SOURCE_MODEL_PACKAGE_GROUP_NAME": GROUP, "MODEL_PACKAGE_VERSION": "4"}
    assert resolve_model.main([], env=env, client=client) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f'version 4 of model package group "{GROUP}" is not Approved' in err


@pytest.mark.parametrize("value, expected", [("", None), ("latest", None), (" 3 ", 3)])
def test_model_package_version_latest_or_empty_means_the_newest(value, expected):
    assert resolve_model.requested_version(value) == expected


@pytest.mark.parametrize("value", ["0", "-1", "3.5", "v3", "newest"])
def test_a_model_package_version_that_is_not_a_number_is_named(value):
    with pytest.raises(CliError, match=f'MODEL_PACKAGE_VERSION must be "latest" or a model package version number such as 3, got "{value}"'):
        resolve_model.requested_version(value)
