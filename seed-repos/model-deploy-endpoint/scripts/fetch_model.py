"""Download the model artifact that resolve_model.py chose and take out its input contract.

Usage:  python scripts/fetch_model.py [--model build/model.json] [--artifact build/model.tar.gz]
                                      [--transform build/transform.json]

Reads ``modelDataUrl`` from build/model.json, downloads that model.tar.gz (ModelBuild writes it
to the project's artifact bucket, which the build role may read) to build/model.tar.gz, and
copies the transform.json that its model-info.json names to build/transform.json. buildspec.yml
then runs the test suite on the downloaded artifact (``MODEL_ARTIFACT``) and puts transform.json
into the build's output artifact, from which the staging smoke test builds its requests.
Fails with one line when the artifact lacks a file or its transform.json is not schema version 2.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import sys
import tarfile
from pathlib import Path

from cli import ARTIFACT_FILE, MODEL_FILE, TRANSFORM_FILE, CliError, read_json_file, run_main
from input_contract import parse_contract

S3_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>.+)$")
MODEL_INFO_FILE = "model-info.json"
CHUNK_BYTES = 1 << 20


def download(s3, url: str, target: Path) -> None:
    match = S3_URL.match(url or "")
    if not match:
        raise CliError(f"modelDataUrl {url!r} is not an s3:// URL of the model artifact")
    body = s3.get_object(Bucket=match["bucket"], Key=match["key"])["Body"]
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        for chunk in body.iter_chunks(CHUNK_BYTES):
            handle.write(chunk)


def read_member(archive: tarfile.TarFile, name: str, where: str) -> bytes:
    """A regular file at the archive's root, named with or without a leading ``./`` (tar -C dir .)."""
    for member in archive.getmembers():
        if member.isfile() and posixpath.normpath(member.name) == name:
            return archive.extractfile(member).read()
    raise CliError(f"{where}: the model artifact has no {name} (is it a model.tar.gz built by ModelBuild?)")


def extract_transform(artifact: Path, where: str) -> bytes:
    try:
        with tarfile.open(artifact, "r:*") as archive:
            try:
                info = json.loads(read_member(archive, MODEL_INFO_FILE, where))
            except ValueError as exc:
                raise CliError(f"{where}: {MODEL_INFO_FILE} is not valid JSON: {exc}") from None
            name = info.get("transform_file") if isinstance(info, dict) else None
            if not isinstance(name, str) or posixpath.basename(name) != name or not name:
                raise CliError(f"{where}: {MODEL_INFO_FILE} transform_file must be a file name in the artifact, got {name!r}")
            text = read_member(archive, name, where)
    except tarfile.TarError as exc:
        raise CliError(f"{where}: not a readable model.tar.gz ({exc})") from None
    try:
        parse_contract(json.loads(text), f"{where} {name}")
    except ValueError as exc:
        raise CliError(f"{where} {name} is not valid JSON: {exc}") from None
    return text


def main(argv: list[str] | None = None, s3=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL_FILE, help="written by resolve_model.py")
    parser.add_argument("--artifact", type=Path, default=ARTIFACT_FILE, help="where the model.tar.gz goes")
    parser.add_argument("--transform", type=Path, default=TRANSFORM_FILE, help="where its transform.json goes")
    args = parser.parse_args(argv)

    def run() -> None:
        url = read_json_file(args.model, "run scripts/resolve_model.py first").get("modelDataUrl")
        client = s3
        if client is None:
            import boto3
            client = boto3.client("s3")
        download(client, url, args.artifact)
        text = extract_transform(args.artifact, url)
        args.transform.parent.mkdir(parents=True, exist_ok=True)
        args.transform.write_bytes(text)
        print(f"fetched {url} to {args.artifact}; its input contract to {args.transform}")

    return run_main("fetch_model", run)


if __name__ == "__main__":
    sys.exit(main())
