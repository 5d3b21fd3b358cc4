import frappe

from aftersales_app.text import HTML_TYPES, PLAIN_TYPES, clean_html, clean_plain

DOCTYPES = (
	"Service Ticket",
	"Service Visit",
	"Service Visit Part",
	"Service Payment",
	"Service Contact Log",
)


def execute():
	"""Text stored before the app cleaned every text itself (Frappe passes JSON-looking strings
	such as `"<img onerror=…>"`) is cleaned as a save would clean it now. Rows are read and
	written field by field, without touching `modified`; running it twice changes nothing."""
	for doctype in DOCTYPES:
		meta = frappe.get_meta(doctype)
		fields = [
			df
			for df in meta.fields
			if (df.fieldtype in PLAIN_TYPES or df.fieldtype in HTML_TYPES) and df.get("options") != "Email"
		]
		if not fields:
			continue
		table = frappe.qb.DocType(doctype)
		for df in fields:
			column = table[df.fieldname]
			rows = (
				frappe.qb.from_(table)
				.select(table.name, column)
				.where(column.like("%<%") | column.like("%>%"))
				.run()
			)
			clean = clean_html if df.fieldtype in HTML_TYPES else clean_plain
			for name, value in rows:
				cleaned = clean(value)
				if cleaned != value:
					frappe.qb.update(table).set(column, cleaned).where(table.name == name).run()
