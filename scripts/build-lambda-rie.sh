#!/usr/bin/env bash
# Builds the AWS Lambda Runtime Interface Emulator (the Go module the AWS base images ship as
# /usr/local/bin/aws-lambda-rie) at the version pinned in .projenrc.ts, into an ignored cache folder.
# A cached binary is reused only if its embedded module version (`go version -m`) is the pinned one.
# Flags as the module's own release build (Makefile, target compile-lambda-linux):
#   CGO_ENABLED=0 go build -buildvcs=false -ldflags "-s -w" ./cmd/aws-lambda-rie
set -euo pipefail
cd "$(dirname "$0")/.."

MODULE=github.com/aws/aws-lambda-runtime-interface-emulator
VERSION="${LAMBDA_RIE_VERSION:?set LAMBDA_RIE_VERSION (run through: npx projen setup:lambda-rie)}"
CACHE_DIR="${LAMBDA_RIE_DIR:-.cache/lambda-rie}"
BINARY="$CACHE_DIR/aws-lambda-rie"

built_version() {
  go version -m "$BINARY" 2>/dev/null | awk -v m="$MODULE" '$1 == "mod" && $2 == m { print $3 }'
}

if ! command -v go > /dev/null; then
  echo "build-lambda-rie: Go is not installed; the Lambda runtime suite (test/lambda-runtime) needs it to build $MODULE" >&2
  exit 1
fi
if [ -x "$BINARY" ] && [ "$(built_version)" = "$VERSION" ]; then
  echo "aws-lambda-rie $VERSION (cached in $CACHE_DIR)"
  exit 0
fi

mkdir -p "$CACHE_DIR"
GOBIN="$(cd "$CACHE_DIR" && pwd)" CGO_ENABLED=0 go install -buildvcs=false -ldflags "-s -w" "$MODULE/cmd/aws-lambda-rie@$VERSION"
if [ "$(built_version)" != "$VERSION" ]; then
  echo "build-lambda-rie: $BINARY reports version '$(built_version)', expected $VERSION" >&2
  exit 1
fi
echo "aws-lambda-rie $VERSION built into $CACHE_DIR"
