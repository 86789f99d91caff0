"""package_inference: the reproducible sourcedir.tar.gz and its upload (botocore Stubber).

The extraction test runs the real library: sagemaker-containers 2.8.6.post2
``_files.download_and_extract``, which the XGBoost 3.0-5 container uses on SAGEMAKER_SUBMIT_DIRECTORY.
"""

import ast
import io
import json
import tarfile

from botocore.stub import ANY, Stubber

import package_inference
from aws_clients import offline_client


def test_archive_holds_the_inference_modules_at_its_root():
    with tarfile.open(fileobj=io.BytesIO(package_inference.build_archive()), mode="r:gz") as tar:
        names = sorted(tar.getnames())
    assert names == ["inference.py", "request.py", "request_error.py", "transform.py"]


def test_archive_is_reproducible_so_an_unchanged_folder_keeps_its_url():
    assert package_inference.build_archive() == package_inference.build_archive()


def test_archive_extracts_with_the_containers_own_function_to_the_serving_functions(tmp_path):
    # sagemaker_containers/_files.py download_and_extract: what the container does with
    # SAGEMAKER_SUBMIT_DIRECTORY (an S3 URL there, a local tar file here) before it imports the module.
    from sagemaker_containers.beta.framework import files

    archive = tmp_path / "sourcedir.tar.gz"
    archive.write_bytes(package_inference.build_archive())
    files.download_and_extract(str(archive), str(tmp_path / "code"))
    tree = ast.parse((tmp_path / "code" / "inference.py").read_text())
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    # transform_fn with any of input_fn/predict_fn/output_fn is refused by the container.
    assert {"model_fn", "transform_fn"} <= functions and not functions & {"input_fn", "predict_fn", "output_fn"}
    # The full import and serving of the extracted archive: test_container_server.py.


def test_uploads_under_prefix_version_and_digest_and_writes_the_url(tmp_path, capsys):
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"version": 7}))
    out = tmp_path / "inference-code.json"
    s3 = offline_client("s3")
    with Stubber(s3) as stubber:
        stubber.add_response("put_object", {}, {"Bucket": "sagemaker-project-p-abcdefghijkl", "Key": ANY,
                                                "Body": ANY, "ContentType": "application/gzip"})
        code = package_inference.main(["--model", str(model), "--output", str(out)],
                                      env={"ARTIFACT_BUCKET": "sagemaker-project-p-abcdefghijkl"}, s3=s3)
        stubber.assert_no_pending_responses()
    assert code == 0
    url = json.loads(out.read_text())["sourceDirUrl"]
    prefix = "s3://sagemaker-project-p-abcdefghijkl/inference-code/7/"
    assert url.startswith(prefix) and url.endswith("/sourcedir.tar.gz") and len(url) == len(prefix) + 16 + len("/sourcedir.tar.gz")
    assert capsys.readouterr().out.strip() == url


def test_without_a_resolved_model_prints_one_line_and_exits_1(tmp_path, capsys):
    code = package_inference.main(["--model", str(tmp_path / "none.json")], env={"ARTIFACT_BUCKET": "b"}, s3=object())
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "run scripts/resolve_model.py first" in err


def test_without_the_bucket_variable_prints_one_line_and_exits_1(capsys):
    assert package_inference.main([], env={}, s3=object()) == 1
    assert "ARTIFACT_BUCKET is not set" in capsys.readouterr().err
