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
