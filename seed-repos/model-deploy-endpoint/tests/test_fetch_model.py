"""fetch_model: the deployed model.tar.gz and its transform.json, against botocore's Stubber."""

import io
import json
import tarfile

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

import fetch_model
from aws_clients import offline_client

URL = "s3://sagemaker-project-p-abcdefghijkl/p-abcdefghijkl/models/pipelines-x-TrainModel/output/model.tar.gz"


def tar_of(files: dict, prefix: str = "") -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(prefix + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


@pytest.fixture
def artifact_files(model_dir):
    return {p.name: p.read_bytes() for p in model_dir.iterdir() if p.is_file()}


def run(tmp_path, archive: bytes, url: str = URL):
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"modelDataUrl": url, "version": 3}))
    s3 = offline_client("s3")
    with Stubber(s3) as stubber:
        if url.startswith("s3://"):
            stubber.add_response("get_object", {"Body": StreamingBody(io.BytesIO(archive), len(archive))},
                                 {"Bucket": "sagemaker-project-p-abcdefghijkl", "Key": URL.split("/", 3)[3]})
        code = fetch_model.main(["--model", str(model), "--artifact", str(tmp_path / "build" / "model.tar.gz"),
                                 "--transform", str(tmp_path / "build" / "transform.json")], s3=s3)
    return code


@pytest.mark.parametrize("prefix", ["", "./"])
def test_downloads_the_artifact_and_writes_the_transform_it_names(tmp_path, artifact_files, transform_doc, prefix, capsys):
    # ModelBuild's packaging may write members as "./name" (tar -C dir .): both are found.
    archive = tar_of(artifact_files, prefix)
    assert run(tmp_path, archive) == 0
    assert (tmp_path / "build" / "model.tar.gz").read_bytes() == archive
    assert json.loads((tmp_path / "build" / "transform.json").read_text()) == transform_doc
    assert capsys.readouterr().out.startswith(f"fetched {URL}")


def _info_without_transform(files):
    info = json.loads(files["model-info.json"])
    files = {k: v for k, v in files.items() if k != info["transform_file"]}
    return files, info["transform_file"]


def test_an_artifact_without_its_transform_is_one_line_naming_the_file(tmp_path, artifact_files, capsys):
    files, name = _info_without_transform(artifact_files)
    assert run(tmp_path, tar_of(files)) == 1
    err = capsys.readouterr().err
    assert f"the model artifact has no {name}" in err and err.count("\n") == 1


def test_a_version_1_transform_is_refused_with_a_message_to_retrain(tmp_path, artifact_files, transform_doc, capsys):
    name = json.loads(artifact_files["model-info.json"])["transform_file"]
    files = {**artifact_files, name: json.dumps({**transform_doc, "schema_version": 1}).encode()}
    assert run(tmp_path, tar_of(files)) == 1
    err = capsys.readouterr().err
    assert "schema_version is 1, not 2: retrain and register the model with the current ModelBuild" in err
    assert not (tmp_path / "build" / "transform.json").exists()


def test_a_body_that_is_not_a_tar_archive_is_one_line(tmp_path, capsys):
    assert run(tmp_path, b"<Error>not a tarball</Error>") == 1
    err = capsys.readouterr().err
    assert "not a readable model.tar.gz" in err and err.count("\n") == 1


def test_a_model_data_url_that_is_not_s3_is_refused_before_any_download(tmp_path, capsys):
    assert run(tmp_path, b"", url="https://example.com/model.tar.gz") == 1
    assert "is not an s3:// URL of the model artifact" in capsys.readouterr().err


def test_without_a_resolved_model_prints_one_line_and_exits_1(tmp_path, capsys):
    assert fetch_model.main(["--model", str(tmp_path / "none.json")], s3=object()) == 1
    assert "run scripts/resolve_model.py first" in capsys.readouterr().err
