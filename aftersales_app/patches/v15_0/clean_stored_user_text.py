import frappe

from aftersales_app.core.text import HTML_TYPES, PLAIN_TYPES, clean_html, clean_plain


def app_doctypes() -> list[str]:
	"""Every stored DocType of the app's modules, child tables included."""
	return frappe.get_all(
		"DocType",
		filters={"module": ["in", frappe.get_module_list("aftersales_app")], "issingle": 0, "is_virtual": 0},
		pluck="name",
		order_by="name",
	)


def execute():
	"""Text stored before the app cleaned every text as it does now is cleaned as a save would clean
	it: JSON-looking strings such as `"<img onerror=…>"` (Frappe passes them) and markup that never
	closes (`<img src=x onerror=…` at a value's end, which no cleaner called a tag). Every DocType of
	the app, field by field, without touching `modified`; running it twice changes nothing."""
	for doctype in app_doctypes():
		meta = frappe.get_meta(doctype)
		fields = [
			df
			for df in meta.fields
			if (df.fieldtype in PLAIN_TYPES or df.fieldtype in HTML_TYPES)
			and df.get("options") != "Email"
			and not df.get("is_virtual")
		]
		if not fields:
			continue
		table = frappe.qb.DocType(doctype)
		for df in fields:
			column = table[df.fieldname]
			rows = (
				frappe.qb.from_(table)
				.select(table.name, column)
				.where(column.like("%<%") | column.like("%&%"))
				.run()
			)
			clean = clean_html if df.fieldtype in HTML_TYPES else clean_plain
			for name, value in rows:
				cleaned = clean(value)
				if cleaned != value:
					frappe.qb.update(table).set(column, cleaned).where(table.name == name).run()
