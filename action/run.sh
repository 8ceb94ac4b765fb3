#!/usr/bin/env bash
# The action's run step (action.yml): runs `snag review --github` or
# `snag check` with the extra arguments in SNAG_ARGS (split on spaces).
# snag's exit code is the step's: 0 clean, 1 findings, 2 error.
set -uo pipefail

read -r -a extra <<< "${SNAG_ARGS:-}"
case "${SNAG_COMMAND:-review}" in
  review) exec snag review --github "${extra[@]}" ;;
  check) exec snag check "${extra[@]}" ;;
  *)
    echo "::error title=snag::the action's command is \`${SNAG_COMMAND}\`; it must be \`review\` or \`check\`"
    exit 2
    ;;
esac
