"""Package inference/ as sourcedir.tar.gz and upload it to the project's artifact bucket.

Usage:  python scripts/package_inference.py [--model build/model.json] [--prefix inference-code]
                                            [--output build/inference-code.json]

Environment: ARTIFACT_BUCKET (required). The object key is
``<prefix>/<model version>/<content digest>/sourcedir.tar.gz``: the digest keeps a rebuilt
package from overwriting the code that a running endpoint (e.g. prod) still downloads on
every cold start. The archive is reproducible (sorted, fixed times), so an unchanged folder
gives the same digest and the same URL.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import sys
import tarfile
from pathlib import Path

from cli import INFERENCE_CODE_FILE, MODEL_FILE, ROOT, CliError, read_json_file, require_env, run_main, write_json_file

INFERENCE_DIR = ROOT / "inference"
ARCHIVE_NAME = "sourcedir.tar.gz"


def build_archive(source_dir: Path = INFERENCE_DIR) -> bytes:
    """The .py files of ``source_dir`` at the archive root (where SAGEMAKER_PROGRAM is looked up)."""
    files = sorted(p for p in Path(source_dir).iterdir() if p.is_file() and p.suffix == ".py")
    if not any(p.name == "inference.py" for p in files):
        raise CliError(f"{source_dir}/inference.py not found")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            data = path.read_bytes()
            info = tarfile.TarInfo(path.name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def upload(s3, bucket: str, prefix: str, version: int, archive: bytes) -> str:
    digest = hashlib.sha256(archive).hexdigest()[:16]
    key = f"{prefix.strip('/')}/{version}/{digest}/{ARCHIVE_NAME}"
    s3.put_object(Bucket=bucket, Key=key, Body=archive, ContentType="application/gzip")
    return f"s3://{bucket}/{key}"


def main(argv: list[str] | None = None, env=None, s3=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL_FILE, help="written by resolve_model.py")
    parser.add_argument("--prefix", default="inference-code", help="S3 key prefix (default inference-code)")
    parser.add_argument("--output", type=Path, default=INFERENCE_CODE_FILE)
    args = parser.parse_args(argv)

    def run() -> None:
        bucket = require_env("ARTIFACT_BUCKET", "the project's artifact bucket", os.environ if env is None else env)
        version = read_json_file(args.model, "run scripts/resolve_model.py first").get("version")
        if not isinstance(version, int) or version < 1:
            raise CliError(f"{args.model}: version must be a positive integer, got {version!r}")
        client = s3
        if client is None:
            import boto3
            client = boto3.client("s3")
        url = upload(client, bucket, args.prefix, version, build_archive())
        write_json_file(args.output, {"sourceDirUrl": url})
        print(url)

    return run_main("package_inference", run)


if __name__ == "__main__":
    sys.exit(main())
