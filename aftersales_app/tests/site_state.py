"""What the install/migrate/uninstall tests compare, read from a site through `bench execute`.

These functions run in a separate `bench --site … execute` process, so they work on a site
where the app is not (or no longer) installed: the package stays importable in the bench.
"""

import hashlib
import json

import frappe
from frappe.query_builder import DocType

APP = "aftersales_app"
ROLES = ("After-Sales Manager", "Service Agent", "Service Technician")


def snapshot() -> dict:
	"""Everything a migrate could change for this app: its DocTypes with their fields and database
	columns and indexes, the `modified` stamps of its roles, custom fields (the shipped ones and the
	ticket templates' examples) and property setters, its workspace, patches and versions."""
	modules = ("in", frappe.get_module_list(APP))
	doctypes = frappe.get_all(
		"DocType", filters={"module": modules}, fields=["name", "modified", "issingle"], order_by="name"
	)
	state = {
		"installed": APP in frappe.get_installed_apps(),
		"doctypes": {d.name: str(d.modified) for d in doctypes},
		"docfields": {
			d.name: [
				(f.fieldname, f.fieldtype, f.options, str(f.modified))
				for f in frappe.get_all(
					"DocField",
					filters={"parent": d.name},
					fields=["fieldname", "fieldtype", "options", "modified"],
					order_by="idx",
				)
			]
			for d in doctypes
		},
		"schema": {d.name: _schema(d.name) for d in doctypes if not d.issingle},
		"singles": sorted(d.name for d in doctypes if d.issingle),
		"roles": {
			r.name: str(r.modified)
			for r in frappe.get_all("Role", filters={"name": ("in", ROLES)}, fields=["name", "modified"])
		},
		"workspaces": {
			w.name: str(w.modified)
			for w in frappe.get_all("Workspace", filters={"module": modules}, fields=["name", "modified"])
		},
		"custom_fields": {
			c.name: str(c.modified)
			for c in frappe.get_all("Custom Field", filters={"module": modules}, fields=["name", "modified"])
		},
		"property_setters": {
			p.name: str(p.modified)
			for p in frappe.get_all(
				"Property Setter", filters={"module": modules}, fields=["name", "modified"]
			)
		},
		"custom_docperms": sorted(
			(p.parent, p.role, p.read, p.write, p.create)
			for p in frappe.get_all(
				"Custom DocPerm",
				filters={"role": ("in", ROLES)},
				fields=["parent", "role", "read", "write", "create"],
			)
		),
		"workflow": {
			"active": bool(frappe.db.exists("Workflow", {"document_type": "Service Ticket", "is_active": 1})),
			"states": frappe.db.count("Workflow Document State", {"parent": "Service Ticket Workflow"}),
			"transitions": frappe.db.count("Workflow Transition", {"parent": "Service Ticket Workflow"}),
		},
		"state_categories": frappe.db.count("After-Sales State", {"parent": "After-Sales Settings"})
		if frappe.db.table_exists("After-Sales State")
		else 0,
		"patches": frappe.db.count("Patch Log", {"patch": ("like", f"{APP}.%")}),
		# a release before the layout by domain left its one module: its own code uninstalls it
		"scaffold_module": bool(frappe.db.exists("Module Def", "Aftersales App")),
		"module_defs": {
			m: frappe.db.get_value("Module Def", m, "app_name") for m in frappe.get_module_list(APP)
		},
	}
	state["digest"] = hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()
	return state


def _schema(doctype: str) -> list:
	if not frappe.db.table_exists(doctype):
		return []
	columns = frappe.db.sql(
		"select column_name, column_type, is_nullable, column_default, column_key "
		"from information_schema.columns where table_schema = database() and table_name = %s "
		"order by ordinal_position",
		(f"tab{doctype}",),
	)
	indexes = frappe.db.sql(
		"select index_name, column_name, non_unique from information_schema.statistics "
		"where table_schema = database() and table_name = %s order by index_name, seq_in_index",
		(f"tab{doctype}",),
	)
	return [list(map(str, c)) for c in columns] + [list(map(str, i)) for i in indexes]


def app_tables() -> list[str]:
	"""Tables of this app's DocTypes that exist in the database (there must be none after uninstall)."""
	import glob
	import os

	names = []
	for path in glob.glob(os.path.join(frappe.get_app_path(APP), "*", "doctype", "*", "*.json")):
		with open(path, encoding="utf-8") as f:
			meta = json.load(f)
		if meta.get("doctype") == "DocType" and not meta.get("issingle"):
			names.append(meta["name"])
	return sorted(n for n in names if frappe.db.table_exists(n))


def erpnext_smoke() -> dict:
	"""Proves ERPNext still does its work: a customer, an item and a submitted sales invoice with
	its GL entries; rolled back so the site stays as it was."""
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import SalesInvoice

	company = frappe.get_all("Company", pluck="name", limit=1)[0]
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": "Smoke Test Customer",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}),
			"territory": frappe.db.get_value("Territory", {"is_group": 0}),
		}
	).insert()
	item = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": "SMOKE-TEST-SERVICE",
			"item_group": frappe.db.get_value("Item Group", {"is_group": 0}),
			"stock_uom": "Nos",
			"is_stock_item": 0,
		}
	).insert()
	invoice: SalesInvoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer.name,
			"company": company,
			"items": [{"item_code": item.name, "qty": 1, "rate": 100}],
		}
	).insert()
	invoice.submit()
	gl_entries = frappe.db.count("GL Entry", {"voucher_no": invoice.name, "is_cancelled": 0})
	result = {"invoice_status": invoice.status, "grand_total": invoice.grand_total, "gl_entries": gl_entries}
	frappe.db.rollback()
	return result


# the app's data a backup must carry, and ERPNext's documents it moves
DATA = (
	"Service Ticket",
	"Service Ticket Status Log",
	"Service Visit",
	"Service Visit Part",
	"Service Payment",
	"Service Revisit",
	"Service Survey",
	"Maintenance Reminder",
	"After-Sales Message",
	"Payment Entry",
	"Sales Invoice",
	"Stock Entry",
	"ToDo",
)


def data() -> dict:
	"""Row counts and a checksum of the names of the app's data; every file of the app's documents
	(private ones included) with a hash of its bytes; visits' signatures hashed; the invariant
	check's result."""
	from aftersales_app import invariants

	out = {"rows": {}, "names": {}}
	for doctype in DATA:
		names = frappe.get_all(doctype, pluck="name", order_by="name")
		out["rows"][doctype] = len(names)
		out["names"][doctype] = hashlib.sha256("\n".join(names).encode()).hexdigest()
	files = frappe.get_all(
		"File",
		filters={"attached_to_doctype": ("like", "Service %"), "is_folder": 0},
		fields=["name", "file_url", "is_private"],
		order_by="name",
	)
	out["files"] = {
		f.file_url: [f.is_private, hashlib.sha256(frappe.get_doc("File", f.name).get_content()).hexdigest()]
		for f in files
	}
	out["signatures"] = {
		v.name: hashlib.sha256(v.customer_signature.encode()).hexdigest()
		for v in frappe.get_all(
			"Service Visit",
			filters={"customer_signature": ("is", "set")},
			fields=["name", "customer_signature"],
		)
	}
	out["invariants"] = {r.title: r.breaches for r in invariants.breaches()}
	return out


def run_patches() -> list[str]:
	"""Run every patch of patches.txt again, whether or not the site ran it before (a patch must
	be idempotent: a migrate interrupted and run again, a `#date` re-run, repeats it)."""
	path = frappe.get_app_path(APP, "patches.txt")
	done = []
	with open(path, encoding="utf-8") as f:
		for line in f:
			patch = line.split("#", 1)[0].strip()
			if not patch or patch.startswith("[") or patch.startswith("execute:"):
				continue
			frappe.get_attr(f"{patch}.execute")()
			frappe.db.commit()
			done.append(patch)
	return done


def load_demo() -> bool:
	from aftersales_app.demo import data as demo

	demo.load()
	return True


ADMIN_FIELD = "custom_elevator_ready"  # Customize Form names a field after its label


def customise() -> bool:
	"""What an admin does through the desk: a field for one ticket type in Customize Form (shown
	and required for Installation only), a shipped field relabelled, a Notification's and a ticket
	type's texts changed."""
	condition = 'eval:doc.ticket_type=="Installation"'
	form = frappe.get_doc("Customize Form")
	form.doc_type = "Service Ticket"
	form.fetch_to_customize()
	if not any(f.fieldname == ADMIN_FIELD for f in form.fields):
		form.append(
			"fields",
			{
				"is_custom_field": 1,
				"is_system_generated": 0,
				"label": "Elevator Ready",
				"fieldtype": "Select",
				"options": "\nYes\nNo",
				"depends_on": condition,
				"mandatory_depends_on": condition,
			},
		)
	next(f for f in form.fields if f.fieldname == "site_floor").label = "楼层/房号"
	form.save_customization()
	frappe.db.set_value("Custom Field", "Contact-preferred_channel", "label", "首选联系方式")
	name = frappe.db.get_value("Notification", {"method": "aftersales_pool_available"})
	frappe.db.set_value("Notification", name, "subject", "抢单啦:{{ doc.name }}")
	frappe.db.set_value("Service Ticket Type", "Installation", "description", "新机安装与移机")
	return True


def uncustomise() -> bool:
	"""Undo what customise() made that outlives the app (a field and Property Setters of Customize
	Form belong to no app: an uninstall keeps them, and the next install's demo would miss the
	field)."""
	frappe.delete_doc("Custom Field", f"Service Ticket-{ADMIN_FIELD}", force=True, ignore_missing=True)
	setters = frappe.get_all(
		"Property Setter",
		filters={"doc_type": "Service Ticket", "field_name": ("in", [ADMIN_FIELD, "site_floor"])},
		pluck="name",
	)
	for name in [*setters, "Service Ticket-main-field_order"]:
		frappe.delete_doc("Property Setter", name, force=True, ignore_missing=True)
	frappe.clear_cache(doctype="Service Ticket")
	return True


def customisation() -> dict:
	"""What customise() left, and whether the type's field is required for that type only."""

	def refused(ticket_type: str) -> bool:
		frappe.db.savepoint("customisation")
		try:
			frappe.get_doc(
				{
					"doctype": "Service Ticket",
					"subject": "电梯",
					"customer": frappe.get_all("Customer", pluck="name", limit=1)[0],
					"ticket_type": ticket_type,
					"site_location": "一楼",
					"site_mounting": "Wall Mounted",
				}
			).insert()
			return False
		except frappe.MandatoryError:
			return True
		finally:
			frappe.db.rollback(save_point="customisation")

	meta = frappe.get_meta("Service Ticket", cached=False)
	field = meta.get_field(ADMIN_FIELD)
	return {
		"field": [field.label, field.mandatory_depends_on] if field else None,
		"floor": meta.get_field("site_floor").label,
		"channel": frappe.get_meta("Contact", cached=False).get_field("preferred_channel").label,
		"notification": frappe.db.get_value(
			"Notification", {"method": "aftersales_pool_available"}, "subject"
		),
		"type": frappe.db.get_value("Service Ticket Type", "Installation", "description"),
		"refused": {t: refused(t) for t in ("Installation", "Repair")},
	}


def main(argv: list[str]) -> None:
	"""`python -m aftersales_app.tests.site_state SITE FUNCTION` (run from the bench's sites folder)
	prints FUNCTION's result as JSON. `bench execute` cannot be used: it refuses functions of apps
	that are not installed on the site, which is the very state these checks look at."""
	site, function = argv
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		from aftersales_app.demo.site import complete_setup

		functions = {
			"snapshot": snapshot,
			"app_tables": app_tables,
			"erpnext_smoke": erpnext_smoke,
			"complete_setup": complete_setup,
			"data": data,
			"run_patches": run_patches,
			"load_demo": load_demo,
			"customise": customise,
			"uncustomise": uncustomise,
			"customisation": customisation,
		}
		result = functions[function]()
		frappe.db.commit()
	finally:
		frappe.destroy()
	print(json.dumps(result, default=str))


if __name__ == "__main__":
	import sys

	main(sys.argv[1:])
