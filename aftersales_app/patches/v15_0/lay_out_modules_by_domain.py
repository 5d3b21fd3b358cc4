"""The app's one Frappe module, the scaffold's "Aftersales App", becomes one module per domain
(modules.txt: Tickets, Field Service, Billing, Returns, Customer Care, Knowledge, Notifications). Runs before the DocTypes are synced: `bench migrate` makes no Module Def for a
new line of modules.txt, and the DocTypes, reports, pages, print formats, workspace, number cards
and charts must name a module whose folder holds them before Frappe looks for their code.

Every row that links to the old Module Def moves: a document the app ships to the module whose
folder now holds its JSON, anything else (the app's custom fields, an admin's own reports or
DocTypes in the module) to Tickets, which also holds the After-Sales workspace. A user or Module Profile that blocked the old module
blocks every module of the app, so what an admin hid stays hidden."""

import json
from pathlib import Path

import frappe

APP = "aftersales_app"
OLD = "Aftersales App"
HOME = "Tickets"


def execute():
	modules = frappe.get_module_list(APP)
	for module in modules:
		if not frappe.db.exists("Module Def", module):
			frappe.get_doc({"doctype": "Module Def", "module_name": module, "app_name": APP}).insert(
				ignore_permissions=True
			)
	if not frappe.db.exists("Module Def", OLD):
		return
	shipped = shipped_modules(modules)
	block_every_module(modules)  # Block Module names its module in a Data field, not a Link
	for doctype, fieldname, _istable in links_to_module_def():
		for name in frappe.get_all(doctype, filters={fieldname: OLD}, pluck="name"):
			module = shipped.get((doctype, name), HOME)
			frappe.db.set_value(doctype, name, fieldname, module, update_modified=False)
	frappe.db.delete("Module Def", {"name": OLD})
	frappe.clear_cache()


def shipped_modules(modules: list[str]) -> dict[tuple[str, str], str]:
	"""(doctype, name) → module of every document the app ships as JSON in a module's folder."""
	found = {}
	for module in modules:
		folder = Path(frappe.get_module_path(module))
		for path in folder.glob("*/*/*.json"):
			try:
				data = json.loads(path.read_text(encoding="utf-8"))
			except ValueError:
				continue
			if isinstance(data, dict) and data.get("doctype") and data.get("name"):
				found[(data["doctype"], data["name"])] = module
	return found


def links_to_module_def() -> list[tuple[str, str, bool]]:
	"""(DocType, field, is a child table) of every Link to Module Def, custom fields included."""
	links = set()
	for source in ("DocField", "Custom Field"):
		parent = "parent" if source == "DocField" else "dt"
		for row in frappe.get_all(
			source, filters={"fieldtype": "Link", "options": "Module Def"}, fields=[parent, "fieldname"]
		):
			doctype = row[parent]
			if frappe.db.exists("DocType", doctype) and not frappe.db.get_value(
				"DocType", doctype, "issingle"
			):
				links.add((doctype, row.fieldname, bool(frappe.db.get_value("DocType", doctype, "istable"))))
	return sorted(links)


def block_every_module(modules: list[str]):
	"""A block of the old module becomes a block of each module of the app, on the same user or
	Module Profile (rows written as they are: saving a user would redo its roles and profile)."""
	for row in frappe.get_all(
		"Block Module", filters={"module": OLD}, fields=["name", "parent", "parenttype", "parentfield"]
	):
		siblings = frappe.get_all(
			"Block Module",
			filters={"parent": row.parent, "parenttype": row.parenttype, "parentfield": row.parentfield},
			fields=["module", "idx"],
		)
		have = {d.module for d in siblings}
		idx = max(d.idx or 0 for d in siblings)
		for module in modules:
			if module not in have:
				idx += 1
				frappe.get_doc(
					{
						"doctype": "Block Module",
						"module": module,
						"parent": row.parent,
						"parenttype": row.parenttype,
						"parentfield": row.parentfield,
						"idx": idx,
					}
				).db_insert()
		frappe.db.delete("Block Module", {"name": row.name})
