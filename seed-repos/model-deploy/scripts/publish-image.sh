#!/usr/bin/env bash
# Builds the inference image and pushes it to the project's ECR repository, once per tag.
#
# The repository's tags are immutable and the tag is v<model version>-<commit>, so a re-run with the
# same inputs (Retry, Release change, a second approval of the same or an older model version) finds
# the tag already pushed: the image is then reused as it is, since it was built from the same model
# and the same code. Any other error from ECR stops the build with the ECR message.
#
# Environment: ECR_REPOSITORY_URI, ECR_REPOSITORY_NAME, IMAGE_TAG, AWS_REGION (set by buildspec.yml).
set -euo pipefail

for name in ECR_REPOSITORY_URI ECR_REPOSITORY_NAME IMAGE_TAG AWS_REGION; do
  if [[ -z "${!name:-}" ]]; then
    echo "publish-image: $name is not set" >&2
    exit 2
  fi
done

if found=$(aws ecr describe-images --region "$AWS_REGION" --repository-name "$ECR_REPOSITORY_NAME" \
  --image-ids imageTag="$IMAGE_TAG" --query 'imageDetails[0].imageDigest' --output text 2>&1); then
  echo "publish-image: $ECR_REPOSITORY_NAME:$IMAGE_TAG is already pushed ($found); reusing it"
  exit 0
elif [[ "$found" != *ImageNotFoundException* ]]; then
  echo "publish-image: cannot check $ECR_REPOSITORY_NAME:$IMAGE_TAG: $found" >&2
  exit 1
fi

aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${ECR_REPOSITORY_URI%%/*}"
# x86_64 to match the function's architecture (see lib/inference-service-stack.ts).
docker build --platform linux/amd64 -t "$ECR_REPOSITORY_URI:$IMAGE_TAG" service/
docker push "$ECR_REPOSITORY_URI:$IMAGE_TAG"
