#!/usr/bin/env bash
# The linters, before the tests (scripts/test.sh runs this first): ruff and ruff-format as
# pyproject.toml configures them, prettier on the desk and portal scripts, and the project's own
# checks for Frappe pitfalls (scripts/check_pitfalls.py). Exits non-zero on any finding.
#
#   bash scripts/lint.sh          check
#   bash scripts/lint.sh --fix    let ruff and prettier rewrite what they can
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_lint_tools
cd "$APP_SRC"
status=0
if [ "${1:-}" = --fix ]; then
	"$LINT_VENV/bin/ruff" check --fix . || status=1
	"$LINT_VENV/bin/ruff" format . || status=1
	"$PRETTIER" --write "aftersales_app/**/*.js" || status=1
else
	log "ruff"
	"$LINT_VENV/bin/ruff" check . || status=1
	log "ruff format --check"
	"$LINT_VENV/bin/ruff" format --check . || status=1
	log "prettier --check"
	"$PRETTIER" --check "aftersales_app/**/*.js" || status=1
fi
log "Frappe pitfalls"
"$LINT_VENV/bin/python" scripts/check_pitfalls.py || status=1
exit $status
