#!/usr/bin/env bash
# README command 1: from a fresh Debian 12 / Ubuntu 22.04+ machine to a running site with demo data
# at http://localhost:8000. Idempotent: a second run reuses the bench, the site and the data.
#
#   sudo bash scripts/setup.sh
#
# Environment (all optional): SITE (aftersales.localhost), PORT (8000), SITE_LANGUAGE (zh | en),
# DEMO_PASSWORD (aftersales), and those of scripts/lib.sh: BENCH_USER, BENCH_PATH, FRAPPE_PATH,
# ERPNEXT_PATH, FRAPPE_BRANCH, DB_ROOT_PASSWORD, ADMIN_PASSWORD, PYTHON.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SITE=${SITE:-aftersales.localhost}
PORT=${PORT:-8000}
export SITE_LANGUAGE=${SITE_LANGUAGE:-zh}
export DEMO_PASSWORD=${DEMO_PASSWORD:-aftersales}

provision_bench
ensure_site "$SITE"
log "migrating $SITE (applies what changed in the checkout)"
bench_cmd --site "$SITE" migrate >/dev/null
log "loading demo data (only what is missing)"
bench_cmd --site "$SITE" execute aftersales_app.demo.data.load
ensure_assets
bench_cmd use "$SITE"
bench_cmd --site "$SITE" enable-scheduler >/dev/null
start_server "$SITE" "$PORT"

cat <<MSG

  After-Sales Service is running at http://localhost:$PORT
  (site $SITE in $BENCH_PATH; logs in $BENCH_PATH/logs)

  Log in as Administrator / $ADMIN_PASSWORD
  Demo users (password $DEMO_PASSWORD):
    manager@aftersales.example.com   After-Sales Manager
    agent@aftersales.example.com     Service Agent
    tech.zhou@aftersales.example.com Service Technician (also tech.wu, tech.zheng, tech.sun)
    finance@aftersales.example.com   Accounts User
  Customer portal http://localhost:$PORT/service-tickets (same password):
    wangwei@aftersales.example.com   上海明德贸易有限公司 (also zhangqiang@… of 北京华信科技有限公司)
  Guest lookup   http://localhost:$PORT/ticket-lookup

MSG
