"""Benchmark 1 (issue #17): create a Service Ticket through its full document path against creating
an ERPNext Issue, on the same site in the same run, each with a Service Level Agreement applied.

Run from the bench's sites folder (where Frappe's processes run), as the bench user:

    cd frappe-bench/sites
    ../env/bin/python ../apps/aftersales_app/benchmarks/create_ticket.py --site aftersales.localhost

Both kinds are inserted in-process as the same user (Administrator: permission checks are short for
both), alternating in batches so caches are warm for both; everything is rolled back at the end, so
the site is left as it was. Prints, per kind, the median and 95th percentile of milliseconds per
insert and SQL statements per insert, and the ratio it is judged by (ticket / Issue, target 1.25)."""

import argparse
import os
import statistics
import sys
import time


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default="aftersales.localhost")
	parser.add_argument("--sites-path", default=os.getcwd())
	parser.add_argument("--n", type=int, default=200, help="inserts of each kind")
	args = parser.parse_args()

	import frappe

	frappe.init(args.site, sites_path=args.sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		results = run(args.n)
	finally:
		frappe.db.rollback()
		frappe.destroy()
	report(results, args.n)


def counting_sql():
	"""Count the statements Frappe sends (frappe.db.sql is the one door)."""
	import frappe

	counter = {"n": 0}
	original = frappe.db.sql

	def sql(*args, **kwargs):
		counter["n"] += 1
		return original(*args, **kwargs)

	frappe.db.sql = sql
	return counter


def ensure_issue_agreement():
	"""An enabled default agreement for Issue, copied from the app's for Service Ticket (rolled back
	with everything else) so both kinds pay for an SLA."""
	import frappe

	if frappe.db.exists("Service Level Agreement", {"document_type": "Issue", "enabled": 1}):
		return
	source = frappe.db.get_value(
		"Service Level Agreement", {"document_type": "Service Ticket", "default_service_level_agreement": 1}
	)
	agreement = frappe.copy_doc(frappe.get_doc("Service Level Agreement", source))
	agreement.document_type = "Issue"
	agreement.service_level = "Benchmark Issue Agreement"
	agreement.insert(ignore_permissions=True)


def run(n: int) -> dict:
	import frappe

	ensure_issue_agreement()
	serial = frappe.db.get_value(
		"Serial No", {"customer": ("is", "set"), "status": "Delivered"}, ["name", "customer"], as_dict=True
	)
	counter = counting_sql()

	def ticket():
		frappe.get_doc(
			{
				"doctype": "Service Ticket",
				"subject": "基准测试 空调不制冷",
				"customer": serial.customer,
				"serial_no": serial.name,
				"ticket_type": "Repair",
				"channel": "Phone",
				"description": "<p>开机后不出冷风</p>",
			}
		).insert()

	def issue():
		frappe.get_doc(
			{
				"doctype": "Issue",
				"subject": "基准测试 空调不制冷",
				"customer": serial.customer,
				"description": "<p>开机后不出冷风</p>",
			}
		).insert()

	kinds = {"Service Ticket": ticket, "ERPNext Issue": issue}
	results = {kind: {"ms": [], "sql": []} for kind in kinds}
	for fn in kinds.values():  # warm up
		for _ in range(10):
			fn()
	batch = 10
	for _ in range(max(n // batch, 1)):
		for kind, fn in kinds.items():
			for _ in range(batch):
				before = counter["n"]
				start = time.perf_counter()
				fn()
				results[kind]["ms"].append((time.perf_counter() - start) * 1000)
				results[kind]["sql"].append(counter["n"] - before)
	return results


def report(results: dict, n: int):
	def p95(values):
		return sorted(values)[int(len(values) * 0.95) - 1]

	print(f"create, {n} inserts each (in-process, rolled back)")
	print(f"{'kind':<16} {'median ms':>10} {'p95 ms':>8} {'SQL/insert':>11}")
	for kind, data in results.items():
		print(
			f"{kind:<16} {statistics.median(data['ms']):>10.1f} {p95(data['ms']):>8.1f} "
			f"{statistics.median(data['sql']):>11.0f}"
		)
	ratio = statistics.median(results["Service Ticket"]["ms"]) / statistics.median(
		results["ERPNext Issue"]["ms"]
	)
	print(f"ratio (ticket / Issue, median): {ratio:.2f}x  (target 1.25x)")
	return ratio


if __name__ == "__main__":
	sys.exit(main())
