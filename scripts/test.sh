#!/usr/bin/env bash
# README command 2: runs the whole test suite against a real site.
#
#   sudo bash scripts/test.sh [pytest arguments]
#
# Starts MariaDB and Redis when they are down, runs the linters (scripts/lint.sh), puts this
# checkout into the bench, creates the test site when it is missing (ERPNext set up, this app
# installed), migrates it and runs pytest against it. Exits non-zero on a finding of the linters,
# and with pytest's status: non-zero on a failure and when no test ran.
# Environment: TEST_SITE (aftersales-test.localhost), INSTALL_TEST_SITE
# (aftersales-install-test.localhost, the scratch site of the install/uninstall tests),
# SKIP_LINT=1 (tests only), and those of scripts/lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEST_SITE=${TEST_SITE:-aftersales-test.localhost}
INSTALL_TEST_SITE=${INSTALL_TEST_SITE:-aftersales-install-test.localhost}
export SITE_LANGUAGE=${SITE_LANGUAGE:-zh}

provision_bench
if [ "${SKIP_LINT:-0}" != 1 ]; then
	log "linting (scripts/lint.sh; SKIP_LINT=1 skips it)"
	bash "$APP_SRC/scripts/lint.sh"
fi
ensure_test_deps
ensure_site "$TEST_SITE"
bench_cmd --site "$TEST_SITE" set-config allow_tests true >/dev/null
log "migrating $TEST_SITE"
bench_cmd --site "$TEST_SITE" migrate
ensure_assets

log "running the tests"
rm -rf "$APP_SRC/test-artifacts"
start_db_control
trap stop_db_control EXIT
# the previous release (the nearest tag), for the upgrade test (tests/test_upgrade.py)
PREVIOUS_RELEASE=$(git -C "$APP_SRC" describe --tags --abbrev=0 2>/dev/null || true)
PREVIOUS_TREE=""
if [ -n "$PREVIOUS_RELEASE" ]; then
	PREVIOUS_TREE="$BENCH_PATH/logs/aftersales-previous-release"
	rm -rf "$PREVIOUS_TREE" && mkdir -p "$PREVIOUS_TREE"
	git -C "$APP_SRC" archive "$PREVIOUS_RELEASE" | tar -x -C "$PREVIOUS_TREE"
	is_root && chown -R "$BENCH_USER": "$PREVIOUS_TREE"
fi
set +e
as_bench "cd apps/$APP_NAME && AFTERSALES_TEST_SITE='$TEST_SITE' AFTERSALES_INSTALL_TEST_SITE='$INSTALL_TEST_SITE' \
	AFTERSALES_BENCH_PATH='$BENCH_PATH' AFTERSALES_DB_ROOT_PASSWORD='$DB_ROOT_PASSWORD' \
	AFTERSALES_ADMIN_PASSWORD='$ADMIN_PASSWORD' AFTERSALES_DB_CONTROL='${DB_CONTROL:-}' \
	AFTERSALES_PREVIOUS_RELEASE='$PREVIOUS_RELEASE' AFTERSALES_PREVIOUS_TREE='$PREVIOUS_TREE' \
	../../env/bin/python -m pytest --durations=30 $*"
status=$?
set -e
# Screenshots and other artifacts the run saved, copied back beside the checkout.
if [ "$(readlink -f "$APP_SRC")" != "$(readlink -f "$BENCH_PATH/apps/$APP_NAME")" ] \
	&& [ -d "$BENCH_PATH/apps/$APP_NAME/test-artifacts" ]; then
	cp -r "$BENCH_PATH/apps/$APP_NAME/test-artifacts" "$APP_SRC/"
fi
exit $status
