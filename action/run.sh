#!/usr/bin/env bash
# Runs mlci for the action. Inputs arrive as environment variables, never spliced into the
# script, so no input can inject shell. Exits with mlci's own code (0, 1 or 2).
set -uo pipefail
command_name="${MLCI_COMMAND:-ci}"
case "$command_name" in
  ci|verify) ;;
  *) echo "::error title=mlci::the command input must be ci or verify"; exit 2 ;;
esac
args=("$command_name")
if [ -n "${MLCI_BASE:-}" ]; then args+=(--base "$MLCI_BASE"); fi
case "${MLCI_COMMENT:-false}" in
  true) args+=(--comment) ;;
  false|"") ;;
  *) echo "::error title=mlci::the comment input must be true or false"; exit 2 ;;
esac
# The ledger is pushed only from the target branch (merged code); a pull request job, which
# runs the change's own code, never gets to push. mlci reads the token from MLCI_GIT_TOKEN
# and never prints it.
case "${MLCI_SYNC_NOTES:-false}" in
  true)
    if [ "$command_name" = ci ] && [ "${GITHUB_EVENT_NAME:-}" = push ] && [ -n "${MLCI_DEFAULT_BRANCH:-}" ] \
       && [ "${GITHUB_REF:-}" = "refs/heads/$MLCI_DEFAULT_BRANCH" ]; then
      args+=(--sync-notes --remote "${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY}.git")
      export MLCI_GIT_TOKEN="${GITHUB_TOKEN:-}"
    else
      echo "::notice title=mlci::sync-notes: the ledger is pushed only on pushes to ${MLCI_DEFAULT_BRANCH:-the default branch}; not here"
    fi ;;
  false|"") ;;
  *) echo "::error title=mlci::the sync-notes input must be true or false"; exit 2 ;;
esac

mlci "${args[@]}"
status=$?

if [ -n "${MLCI_FORMATS:-}" ] && [ "$status" -ne 2 ]; then
  formats=()
  IFS=', ' read -ra requested <<< "$MLCI_FORMATS"
  for format in "${requested[@]}"; do
    if [ -n "$format" ]; then formats+=(--format "$format"); fi
  done
  if [ ${#formats[@]} -gt 0 ] && ! mlci report "${formats[@]}"; then
    echo "::warning title=mlci::could not render the extra formats (see the message above)"
  fi
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$status" >> "$GITHUB_OUTPUT"
fi
exit "$status"
