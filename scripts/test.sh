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
# the releases an existing site may run (scripts/releases.txt), each unpacked for the upgrade
# test (tests/test_upgrade.py); a release missing from the clone fails that test, it never skips
RELEASES=""
while read -r commit name; do
	case "$commit" in "#"* | "") continue ;; esac
	tree="$BENCH_PATH/logs/aftersales-release-$name"
	rm -rf "$tree" && mkdir -p "$tree"
	if git -C "$APP_SRC" archive "$commit" 2>/dev/null | tar -x -C "$tree"; then
		is_root && chown -R "$BENCH_USER": "$tree"
	else
		log "release $name ($commit) is not in this clone"
		rm -rf "$tree"
	fi
	RELEASES="$RELEASES${RELEASES:+,}$name=$tree"
done <"$APP_SRC/scripts/releases.txt"
set +e
as_bench "cd apps/$APP_NAME && AFTERSALES_TEST_SITE='$TEST_SITE' AFTERSALES_INSTALL_TEST_SITE='$INSTALL_TEST_SITE' \
	AFTERSALES_BENCH_PATH='$BENCH_PATH' AFTERSALES_DB_ROOT_PASSWORD='$DB_ROOT_PASSWORD' \
	AFTERSALES_ADMIN_PASSWORD='$ADMIN_PASSWORD' AFTERSALES_DB_CONTROL='${DB_CONTROL:-}' \
	AFTERSALES_RELEASES='$RELEASES' \
	../../env/bin/python -m pytest --durations=30 $*"
status=$?
set -e
# Screenshots and other artifacts the run saved, copied back beside the checkout.
if [ "$(readlink -f "$APP_SRC")" != "$(readlink -f "$BENCH_PATH/apps/$APP_NAME")" ] \
	&& [ -d "$BENCH_PATH/apps/$APP_NAME/test-artifacts" ]; then
	cp -r "$BENCH_PATH/apps/$APP_NAME/test-artifacts" "$APP_SRC/"
fi
exit $status
