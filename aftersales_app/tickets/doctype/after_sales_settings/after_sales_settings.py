# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from aftersales_app.customer_care import tags as customer_tags


class AfterSalesSettings(Document):
	def validate(self):
		self.validate_states()
		customer_tags.validate_rules(self)

	def on_update(self):
		if customer_tags.rules_changed(self):
			customer_tags.on_rules_change(self)

	def validate_states(self):
		"""Each state once; every state of the active ticket workflow mapped, so no ticket can reach a
		state the app does not understand."""
		seen = set()
		for row in self.states:
			if row.workflow_state in seen:
				frappe.throw(_("Workflow State {0} is mapped twice").format(frappe.bold(row.workflow_state)))
			seen.add(row.workflow_state)
		workflow = frappe.db.get_value("Workflow", {"document_type": "Service Ticket", "is_active": 1})
		if not workflow:
			return
		states = frappe.get_all(
			"Workflow Document State", filters={"parent": workflow, "parenttype": "Workflow"}, pluck="state"
		)
		unmapped = [s for s in states if s not in seen]
		if unmapped:
			frappe.throw(
				_("Map every state of workflow {0} to a category; missing: {1}").format(
					frappe.bold(workflow), ", ".join(frappe.bold(s) for s in unmapped)
				)
			)
