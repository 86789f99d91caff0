#!/usr/bin/env bash
# Prints the HTTPS Git URL of repository <owner/name> through connection <arn>: the connection's Git
# endpoint, https://<service>.<region>.<domain>/git-http/<account>/<region>/<connection id>/<owner>/<name>.git
# (Amazon EKS user guide, "Configure repository access", CodeConnections; the AWS-provided SageMaker
# MLOps templates' seed check-in builds the same URL). <service> is the ARN's own prefix:
# codeconnections, or codestar-connections for connections created before the rename.
# Usage: connection-remote-url.sh <connection arn> <owner/name>
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: connection-remote-url.sh <connection arn> <owner/name>" >&2
  exit 2
fi
arn=$1
repository=$2
arn_pattern='^arn:(aws[a-z-]*):(codeconnections|codestar-connections):([a-z0-9-]+):([0-9]{12}):connection/([0-9a-f-]{36})$'
if ! [[ $arn =~ $arn_pattern ]]; then
  echo "not a connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>): $arn" >&2
  exit 2
fi
partition=${BASH_REMATCH[1]}
service=${BASH_REMATCH[2]}
region=${BASH_REMATCH[3]}
account=${BASH_REMATCH[4]}
connection=${BASH_REMATCH[5]}
if ! [[ $repository =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  echo "not a repository id (owner/name): $repository" >&2
  exit 2
fi
case $partition in
  aws-cn) domain=amazonaws.com.cn ;;
  *) domain=amazonaws.com ;;
esac
echo "https://${service}.${region}.${domain}/git-http/${account}/${region}/${connection}/${repository}.git"
