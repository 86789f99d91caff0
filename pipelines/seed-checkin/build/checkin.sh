#!/usr/bin/env bash
# Seeds an empty repository and leaves any other alone: when <remote> has no ref at all, commits the
# files of <seed folder> as the first commit of <branch> and pushes it (never forced); when it has any
# ref, it is the team's repository and nothing is written. Running it again changes nothing.
# Usage: checkin.sh <remote url> <branch> <seed folder> [<name shown in messages>]
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: checkin.sh <remote url> <branch> <seed folder> [<name>]" >&2
  exit 2
fi
remote=$1
branch=$2
seed=$3
name=${4:-$remote}

if ! git check-ref-format --branch "$branch" >/dev/null 2>&1; then
  echo "not a valid branch name: $branch" >&2
  exit 2
fi
if [ ! -d "$seed" ] || [ -z "$(ls -A "$seed")" ]; then
  echo "the seed folder $seed is missing or empty" >&2
  exit 2
fi

if ! refs=$(git ls-remote "$remote"); then
  echo "cannot read $name: the connection must be AVAILABLE (Developer Tools console -> Connections) and its app" \
    "installation must have access to the repository, which must exist" >&2
  exit 1
fi
if [ -n "$refs" ]; then
  if grep -q "[[:space:]]refs/heads/${branch}\$" <<<"$refs"; then
    echo "$name already has commits on $branch: left alone"
  else
    echo "$name already has commits, but no branch $branch: left alone; the pipeline starts with the first push to $branch"
  fi
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$seed"/. "$work"/
git -C "$work" init --quiet --initial-branch "$branch"
git -C "$work" add --all
git -C "$work" -c user.name="SageMaker project seed" -c user.email="seed-checkin@noreply.amazonaws.com" \
  commit --quiet --message "Seed code of the SageMaker project template"
# A plain push: if someone pushed meanwhile it is rejected, and the repository is theirs.
git -C "$work" push --quiet "$remote" "HEAD:refs/heads/${branch}"
echo "$name was empty: seeded $branch with $(git -C "$work" ls-files | wc -l | tr -d ' ') files"
