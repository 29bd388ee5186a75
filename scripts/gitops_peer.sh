#!/bin/sh
# The hand-written GitOps step mlci promote replaces, for the benchmark: commit the files of
# SRC as FOLDER on the branch gitops-peer with git plumbing, without touching the checkout.
#   gitops_peer.sh SRC FOLDER
set -e
src="$1"; folder="$2"
GIT_INDEX_FILE="$(mktemp -u "${TMPDIR:-/tmp}/peer-index-XXXXXX")"; export GIT_INDEX_FILE
if git rev-parse -q --verify refs/heads/gitops-peer >/dev/null; then git read-tree gitops-peer; else git read-tree --empty; fi
git rm -r -q --cached --ignore-unmatch "$folder" >/dev/null
for f in $(cd "$src" && find . -type f | sort); do
  git update-index --add --cacheinfo "100644,$(git hash-object -w "$src/$f"),$folder/${f#./}"
done
parent="$(git rev-parse -q --verify refs/heads/gitops-peer || true)"
commit="$(git commit-tree "$(git write-tree)" ${parent:+-p "$parent"} -m "promote $folder")"
git update-ref refs/heads/gitops-peer "$commit"
rm -f "$GIT_INDEX_FILE"
