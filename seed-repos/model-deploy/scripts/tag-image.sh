#!/usr/bin/env bash
# Adds a stage tag (<stage>-<UTC time>) to the image a stage now runs, so that the repository's
# lifecycle rules keep it: they keep the newest few staging-* and prod-* images whatever else is
# pushed, and only count-expire images no stage ran. Tags are immutable, so each deployment adds a
# new tag to the same image (same manifest) instead of moving one.
#
# Usage: scripts/tag-image.sh staging|prod
# Environment: ECR_REPOSITORY_NAME, IMAGE_TAG (the image's build tag), AWS_REGION.
set -euo pipefail

stage="${1:-}"
if [[ "$stage" != staging && "$stage" != prod ]]; then
  echo "tag-image: usage: tag-image.sh staging|prod (got '${stage}')" >&2
  exit 2
fi
for name in ECR_REPOSITORY_NAME IMAGE_TAG AWS_REGION; do
  if [[ -z "${!name:-}" ]]; then
    echo "tag-image: $name is not set" >&2
    exit 2
  fi
done

manifest=$(aws ecr batch-get-image --region "$AWS_REGION" --repository-name "$ECR_REPOSITORY_NAME" \
  --image-ids imageTag="$IMAGE_TAG" --query 'images[0].imageManifest' --output text)
if [[ -z "$manifest" || "$manifest" == None ]]; then
  echo "tag-image: $ECR_REPOSITORY_NAME:$IMAGE_TAG not found" >&2
  exit 1
fi
stage_tag="${stage}-$(date -u +%Y%m%dT%H%M%SZ)"
aws ecr put-image --region "$AWS_REGION" --repository-name "$ECR_REPOSITORY_NAME" \
  --image-tag "$stage_tag" --image-manifest "$manifest" > /dev/null
echo "tag-image: $ECR_REPOSITORY_NAME:$IMAGE_TAG is also $stage_tag"
