"""Administrator's repair of fields only the app sets, run on the server, never over HTTP (it is
not whitelisted): a wrong opening time after an import, amounts after a restored backup.

	bench --site SITE execute aftersales_app.core.field_repair.set_fields --kwargs \\
		"{'doctype': 'Service Ticket', 'name': 'ST-20260501-0001', 'values': {'opened_on': '2026-05-01 09:00:00'}, 'reason': 'imported with the wrong date'}"

The document is saved as the app saves it (its rules still run, so derived fields follow), and
the repair is written on its timeline with the reason.
"""

import frappe
from frappe import _

from aftersales_app.core.app_fields import save_as_app
from aftersales_app.core.text import escape

REPAIRABLE = ("Service Ticket", "Service Visit", "Service Payment", "Service Contact Log")


def set_fields(doctype: str, name: str, values: dict, reason: str):
	"""Set `values` on `doctype` `name` as the app would, with `reason` on its timeline."""
	if frappe.session.user != "Administrator":
		frappe.throw(_("Only Administrator repairs documents, on the server"), frappe.PermissionError)
	if doctype not in REPAIRABLE:
		frappe.throw(_("{0} is not repaired with this tool").format(doctype))
	if not (reason or "").strip():
		frappe.throw(_("Say why the document is repaired"))
	doc = frappe.get_doc(doctype, name)
	doc.update(values)
	save_as_app(doc, ignore_permissions=True)
	doc.add_comment(
		"Edit",
		_("Repaired by Administrator ({0}): {1}").format(escape(", ".join(values)), escape(reason)),
	)
	return doc  # `bench execute` commits
