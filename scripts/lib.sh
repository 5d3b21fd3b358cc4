#!/usr/bin/env bash
# Shared helpers of scripts/setup.sh and scripts/test.sh. Sourced, not run.
#
# Everything is configurable through the environment; the defaults are bench's own
# (upstream Frappe and ERPNext, branch version-15, a bench in the bench user's home).
#   BENCH_USER         unprivileged user that owns and runs the bench      (frappe)
#   BENCH_PATH         the bench directory, reused when it exists         (~BENCH_USER/frappe-bench)
#   FRAPPE_PATH        Frappe source: a git URL or a local repository     (https://github.com/frappe/frappe)
#   ERPNEXT_PATH       ERPNext source: a git URL or a local repository    (https://github.com/frappe/erpnext)
#   FRAPPE_BRANCH      branch of both                                     (version-15)
#   DB_ROOT_PASSWORD   MariaDB root password bench logs in with           (aftersales-root)
#   ADMIN_PASSWORD     the site's Administrator password                  (admin)
#   PYTHON             interpreter of the bench's virtualenv              (/usr/bin/python3)
set -euo pipefail

APP_NAME=aftersales_app
APP_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_USER=${BENCH_USER:-frappe}
if [ "$(id -u)" != 0 ]; then BENCH_USER=$(id -un); fi
BENCH_HOME=$(getent passwd "$BENCH_USER" | cut -d: -f6 || true)
BENCH_HOME=${BENCH_HOME:-/home/$BENCH_USER}
BENCH_PATH=${BENCH_PATH:-$BENCH_HOME/frappe-bench}
FRAPPE_PATH=${FRAPPE_PATH:-https://github.com/frappe/frappe}
ERPNEXT_PATH=${ERPNEXT_PATH:-https://github.com/frappe/erpnext}
FRAPPE_BRANCH=${FRAPPE_BRANCH:-version-15}
DB_ROOT_PASSWORD=${DB_ROOT_PASSWORD:-aftersales-root}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_CLI_VENV=$BENCH_HOME/.bench-cli
export PATH="$BENCH_CLI_VENV/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin:$PATH"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# Runs a command line as the bench user (bench refuses root), keeping the environment
# (uv needs SSL_CERT_FILE) but not root's PATH entries the bench user cannot read.
as_bench() {
	local cmd="cd '$BENCH_PATH' 2>/dev/null || cd ~; export PATH='$BENCH_CLI_VENV/bin:/usr/local/bin:/usr/bin:/bin'; $*"
	if is_root; then
		su "$BENCH_USER" -s /bin/bash -c "$cmd"
	else
		bash -c "$cmd"
	fi
}
bench_cmd() { as_bench "bench $*"; }

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

# System packages; only what is missing, only as root.
install_system_packages() {
	local want=(mariadb-server mariadb-client redis-server python3-venv python3-dev python3-pip
		build-essential pkg-config libmariadb-dev git curl cron wkhtmltopdf fonts-noto-cjk
		chromium poppler-utils xfonts-75dpi xfonts-base)
	local missing=()
	for p in "${want[@]}"; do have_pkg "$p" || missing+=("$p"); done
	local node_major=0
	if command -v node >/dev/null; then node_major=$(node -p 'process.versions.node.split(".")[0]'); fi
	if [ "$node_major" -lt 18 ]; then missing+=(nodejs npm); fi
	if [ ${#missing[@]} -gt 0 ]; then
		is_root || die "missing system packages (${missing[*]}); run this script as root once"
		log "installing system packages: ${missing[*]}"
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
	fi
	if ! command -v yarn >/dev/null || [ "$(yarn --version | cut -d. -f1)" != 1 ]; then
		is_root || die "yarn 1 is missing; run this script as root once"
		log "installing yarn 1"
		npm install -g yarn@1.22.22 >/dev/null
	fi
}

ensure_bench_user() {
	if ! id "$BENCH_USER" >/dev/null 2>&1; then
		is_root || die "user $BENCH_USER does not exist"
		log "creating user $BENCH_USER"
		useradd -m -s /bin/bash "$BENCH_USER"
		BENCH_HOME=$(getent passwd "$BENCH_USER" | cut -d: -f6)
	fi
	chmod o+rx "$BENCH_HOME"
}

mysql_root() { mariadb -uroot -p"$DB_ROOT_PASSWORD" -h 127.0.0.1 "$@"; }

# MariaDB: utf8mb4, running (systemd where there is one, mysqld_safe otherwise), root with a
# password for bench's TCP login.
start_mariadb() {
	local conf=/etc/mysql/mariadb.conf.d/99-aftersales.cnf
	if is_root && [ -d /etc/mysql/mariadb.conf.d ] && [ ! -f "$conf" ]; then
		cat >"$conf" <<'CNF'
[mysqld]
character-set-client-handshake = FALSE
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb_buffer_pool_size = 1G

[mysql]
default-character-set = utf8mb4
CNF
	fi
	if ! mariadb-admin ping -h 127.0.0.1 --silent 2>/dev/null && ! mariadb-admin ping --silent 2>/dev/null; then
		is_root || die "MariaDB is not running and only root can start it"
		log "starting MariaDB"
		if [ -d /run/systemd/system ]; then
			systemctl start mariadb
		else
			mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
			(setsid mysqld_safe >/dev/null 2>&1 &)
		fi
		for _ in $(seq 60); do mariadb-admin ping --silent 2>/dev/null && break; sleep 1; done
		mariadb-admin ping --silent 2>/dev/null || die "MariaDB did not start"
	fi
	if ! mysql_root -e "select 1" >/dev/null 2>&1; then
		is_root || die "cannot log in to MariaDB as root with DB_ROOT_PASSWORD"
		log "giving MariaDB's root a password for bench's TCP login"
		mariadb -uroot -e "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('$DB_ROOT_PASSWORD') OR unix_socket; FLUSH PRIVILEGES;"
	fi
}

# Redis: every URL the bench is configured with must answer (one server on 6379 serves
# cache, queue and socketio for a bench made by these scripts).
start_redis() {
	local ports="6379"
	if [ -f "$BENCH_PATH/sites/common_site_config.json" ]; then
		ports=$(grep -oE '"redis_[a-z]+": *"redis://[^:]+:[0-9]+' "$BENCH_PATH/sites/common_site_config.json" \
			| grep -oE '[0-9]+$' | sort -u | tr '\n' ' ')
		ports=${ports:-6379}
	fi
	for port in $ports; do
		if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
			log "starting Redis on port $port"
			if [ "$port" = 6379 ] || [ ! -f "$BENCH_PATH/config/redis_cache.conf" ]; then
				redis-server --port "$port" --daemonize yes --save "" --appendonly no >/dev/null
			else
				local c
				c=$(grep -l "port $port" "$BENCH_PATH"/config/redis_*.conf | head -1)
				(cd "$BENCH_PATH" && redis-server "$c" --daemonize yes >/dev/null)
			fi
			for _ in $(seq 20); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.5; done
		fi
	done
}

install_bench_cli() {
	if [ ! -x "$BENCH_CLI_VENV/bin/bench" ] && ! command -v bench >/dev/null; then
		log "installing the bench CLI for $BENCH_USER"
		as_bench "'$PYTHON' -m venv '$BENCH_CLI_VENV' && '$BENCH_CLI_VENV/bin/pip' install -q frappe-bench"
	fi
}

# A version-15 bench with ERPNext: reused when BENCH_PATH already holds one.
ensure_bench() {
	if [ ! -f "$BENCH_PATH/apps/frappe/frappe/__init__.py" ]; then
		[ -e "$BENCH_PATH" ] && die "$BENCH_PATH exists but holds no bench"
		log "bench init $BENCH_PATH (Frappe $FRAPPE_BRANCH from $FRAPPE_PATH)"
		as_bench "bench init '$BENCH_PATH' --frappe-path '$FRAPPE_PATH' --frappe-branch '$FRAPPE_BRANCH' \
			--python '$PYTHON' --skip-redis-config-generation --no-backups"
		for r in redis_cache redis_queue redis_socketio; do
			bench_cmd set-config -g "$r" redis://127.0.0.1:6379
		done
	fi
	# ERPNext's dropbox dependency imports pkg_resources, which setuptools 81 dropped.
	as_bench "env/bin/python -c 'import pkg_resources' 2>/dev/null || env/bin/pip install -q 'setuptools<81'"
	if [ ! -f "$BENCH_PATH/apps/erpnext/erpnext/__init__.py" ]; then
		log "bench get-app erpnext ($FRAPPE_BRANCH from $ERPNEXT_PATH)"
		bench_cmd get-app "'$ERPNEXT_PATH'" --branch "$FRAPPE_BRANCH" --skip-assets
	fi
}

# Puts the current checkout into the bench as apps/aftersales_app (a copy owned by the bench
# user, unless the checkout is that folder already) and installs it into the bench's env.
sync_app() {
	local dest="$BENCH_PATH/apps/$APP_NAME"
	if [ "$(readlink -f "$APP_SRC")" != "$(readlink -f "$dest")" ]; then
		log "copying the checkout into $dest"
		mkdir -p "$dest"
		tar -C "$APP_SRC" --exclude=.git --exclude=node_modules --exclude='__pycache__' \
			--exclude="$APP_NAME/public/dist" --exclude=test-artifacts -cf - . | tar -C "$dest" -xf -
		# Files deleted from the checkout must leave the copy too.
		(cd "$dest" && find . -type f ! -path './.git/*' ! -path './node_modules/*' ! -path '*/__pycache__/*' \
			! -path "./$APP_NAME/public/dist/*" ! -path './test-artifacts/*' ! -path './*.egg-info/*') \
			| while read -r f; do [ -e "$APP_SRC/$f" ] || rm -f "$dest/$f"; done
		# and folders that moved (a module's old package would stay importable)
		(cd "$dest" && find . -mindepth 1 -type d ! -name __pycache__ ! -path './.git*' ! -path './node_modules*' \
			! -path '*/__pycache__*' ! -path "./$APP_NAME/public/dist*" ! -path './test-artifacts*' ! -path './*.egg-info*') \
			| while read -r d; do [ -d "$APP_SRC/$d" ] || rm -rf "${dest:?}/$d"; done
		is_root && chown -R "$BENCH_USER": "$dest"
	fi
	if ! grep -qx "$APP_NAME" "$BENCH_PATH/sites/apps.txt"; then
		# apps.txt may lack its final newline
		[ -z "$(tail -c1 "$BENCH_PATH/sites/apps.txt")" ] || echo >>"$BENCH_PATH/sites/apps.txt"
		echo "$APP_NAME" >>"$BENCH_PATH/sites/apps.txt"
	fi
	if ! as_bench "env/bin/python -c 'import $APP_NAME' 2>/dev/null"; then
		log "installing $APP_NAME into the bench's virtualenv"
		as_bench "env/bin/pip install -q -e apps/$APP_NAME"
	fi
}

site_exists() { [ -f "$BENCH_PATH/sites/$1/site_config.json" ]; }

# A site with ERPNext and this app, ERPNext's setup wizard completed. Reused when present.
ensure_site() {
	local site=$1
	if ! site_exists "$site"; then
		log "creating site $site with ERPNext and $APP_NAME"
		bench_cmd new-site "$site" --db-root-password "'$DB_ROOT_PASSWORD'" --admin-password "'$ADMIN_PASSWORD'" \
			--install-app erpnext --install-app "$APP_NAME"
	elif ! bench_cmd --site "$site" list-apps 2>/dev/null | grep -q "^$APP_NAME"; then
		bench_cmd --site "$site" install-app "$APP_NAME"
	fi
	log "completing ERPNext's setup wizard on $site (skipped when done)"
	bench_cmd --site "$site" execute aftersales_app.demo.site.complete_setup
}

# The suite's database-restart test (tests/test_faults.py) restarts MariaDB under load, as an
# operator would; the tests run as the bench user, who cannot. While they run, a root helper
# restarts it when asked through a FIFO only the bench user may write ("restart"), and counts the
# restarts in $DB_CONTROL.done. Nothing of it stays after the run.
restart_mariadb() {
	if [ -d /run/systemd/system ]; then
		systemctl restart mariadb
	else
		mariadb-admin shutdown 2>/dev/null || mysql_root -e "shutdown" || true
		for _ in $(seq 60); do mariadb-admin ping --silent 2>/dev/null || break; sleep 0.5; done
		start_mariadb
	fi
}

start_db_control() {
	is_root || return 0
	DB_CONTROL="$BENCH_PATH/logs/aftersales-db-control"
	rm -f "$DB_CONTROL" "$DB_CONTROL.done"
	mkfifo -m 600 "$DB_CONTROL"
	chown "$BENCH_USER": "$DB_CONTROL"
	echo 0 >"$DB_CONTROL.done"
	(
		restarts=0
		while [ -p "$DB_CONTROL" ]; do
			read -r command <"$DB_CONTROL" || continue
			if [ "$command" = restart ]; then
				restart_mariadb >>"$BENCH_PATH/logs/aftersales-db-control.log" 2>&1
				restarts=$((restarts + 1))
				echo "$restarts" >"$DB_CONTROL.done"
			fi
		done
	) &
	DB_CONTROL_PID=$!
	export DB_CONTROL
}

stop_db_control() {
	[ -n "${DB_CONTROL_PID:-}" ] || return 0
	rm -f "$DB_CONTROL" "$DB_CONTROL.done"
	kill "$DB_CONTROL_PID" 2>/dev/null || true
}

# Front-end assets of every app, built once (bench build is the slow part of a first set-up).
ensure_assets() {
	local missing=0 app stamp="$BENCH_PATH/sites/assets/.$APP_NAME-bundles" sum
	for app in frappe erpnext "$APP_NAME"; do
		[ -e "$BENCH_PATH/sites/assets/$app" ] || missing=1
	done
	[ -f "$BENCH_PATH/sites/assets/assets.json" ] && grep -q '"erpnext.bundle.js"' "$BENCH_PATH/sites/assets/assets.json" || missing=1
	# the app's own bundles (public/**/*.bundle.*) are rebuilt when their sources change
	sum=$(cd "$BENCH_PATH/apps/$APP_NAME/$APP_NAME/public" && find . -name '*.bundle.*' -not -path './dist/*' \
		-type f -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
	if [ "$missing" = 1 ]; then
		log "building front-end assets (bench build)"
		bench_cmd build
	elif [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
		log "building $APP_NAME's bundles (bench build --app $APP_NAME)"
		bench_cmd build --app "$APP_NAME"
	else
		return 0
	fi
	echo "$sum" >"$stamp"
	if is_root; then chown "$BENCH_USER": "$stamp"; fi
}

# The linters' own tools, pinned as .pre-commit-config.yaml pins ruff: ruff in a virtualenv of
# their own, prettier from the npm registry.
RUFF_VERSION=0.6.9
PRETTIER_VERSION=3.3.3
LINT_VENV=${LINT_VENV:-$BENCH_HOME/.lint-venv}
PRETTIER=${PRETTIER:-$LINT_VENV/node_modules/.bin/prettier}
ensure_lint_tools() {
	if [ ! -x "$LINT_VENV/bin/ruff" ] || [ "$("$LINT_VENV/bin/ruff" --version | cut -d' ' -f2)" != "$RUFF_VERSION" ]; then
		log "installing ruff $RUFF_VERSION for the linters"
		"$PYTHON" -m venv "$LINT_VENV"
		"$LINT_VENV/bin/pip" install -q "ruff==$RUFF_VERSION"
	fi
	if [ ! -x "$PRETTIER" ] || [ "$("$PRETTIER" --version)" != "$PRETTIER_VERSION" ]; then
		log "installing prettier $PRETTIER_VERSION for the linters"
		npm install --silent --no-audit --no-fund --prefix "$LINT_VENV" "prettier@$PRETTIER_VERSION" >/dev/null
	fi
}

# Python packages the test suite needs in the bench's virtualenv (pyproject's "test" extra).
ensure_test_deps() {
	# xmlrunner: the JUnit report of ERPNext's own tests (the peer suite, tests/peers.py)
	if ! as_bench "env/bin/python -c 'import pytest, freezegun, playwright, xmlrunner' 2>/dev/null"; then
		log "installing the test dependencies into the bench's virtualenv"
		as_bench "env/bin/pip install -q 'pytest>=8,<9' 'freezegun>=1.2,<2' 'playwright>=1.40' 'unittest-xml-reporting>=3.2,<4'"
	fi
}

# Serves the site on PORT as `bench start` does (`bench serve`: the bench's default site whatever
# the Host header), plus a background worker and the scheduler. Processes a previous run started
# are restarted, so they run the code just installed; a server of someone else's on PORT is left
# alone. The processes belong to the bench user; logs and pid files go to logs/.
start_server() {
	local site=$1 port=$2 name pid
	for name in web worker schedule; do
		pid=$(cat "$BENCH_PATH/logs/aftersales-$name.pid" 2>/dev/null || true)
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
		fi
	done
	sleep 1
	if curl -fsS -o /dev/null "http://127.0.0.1:$port/api/method/ping" 2>/dev/null; then
		log "another server already answers on port $port; left as it is"
		return
	fi
	log "starting the web server on port $port, a worker and the scheduler"
	as_bench "setsid nohup bench --site '$site' serve --port $port --noreload >>logs/web.log 2>&1 </dev/null & echo \$! >logs/aftersales-web.pid"
	as_bench "setsid nohup bench worker >>logs/worker.log 2>&1 </dev/null & echo \$! >logs/aftersales-worker.pid"
	as_bench "setsid nohup bench schedule >>logs/schedule.log 2>&1 </dev/null & echo \$! >logs/aftersales-schedule.pid"
	for _ in $(seq 60); do
		curl -fsS -o /dev/null "http://127.0.0.1:$port/api/method/ping" 2>/dev/null && return
		sleep 1
	done
	die "the web server did not answer on port $port; see $BENCH_PATH/logs/web.log"
}

# Everything both commands need before touching a site: packages, services, the bench with
# Frappe and ERPNext, and this checkout in it.
provision_bench() {
	install_system_packages
	ensure_bench_user
	start_mariadb
	start_redis
	install_bench_cli
	ensure_bench
	start_redis # again: a bench of its own may name other Redis ports
	sync_app
}
