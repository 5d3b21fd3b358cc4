"""The shipped Service Ticket Workflow, the categories of its states and the kanban board."""

import frappe

from aftersales_app.tickets.setup.kanban import make_kanban_board

WORKFLOW_FILES = ("workflow_state.json", "workflow_action_master.json", "workflow.json")


def install_default_workflow():
	"""Create the shipped Service Ticket Workflow, its states and actions where missing, and map the
	states to their categories in After-Sales Settings.

	Not fixtures on purpose: Frappe re-imports fixtures on every migrate, which would undo what an
	admin changed in the Workflow editor. These records are created once and then belong to the
	admin; a state the admin renamed is not brought back.
	"""
	import json

	folder = frappe.get_app_path("aftersales_app", "workflows")
	for filename in WORKFLOW_FILES:
		with open(f"{folder}/{filename}", encoding="utf-8") as f:
			for record in json.load(f):
				if frappe.db.exists(record["doctype"], record["name"]):
					continue
				if record["doctype"] == "Workflow" and frappe.db.exists(
					"Workflow", {"document_type": record["document_type"], "is_active": 1}
				):
					continue  # the site has its own workflow for tickets
				frappe.get_doc(record).insert(ignore_permissions=True)
	set_default_state_categories()
	make_kanban_board()


def set_default_state_categories():
	"""Map the shipped states in After-Sales Settings, leaving rows an admin made alone."""
	import json

	with open(
		frappe.get_app_path("aftersales_app", "workflows", "service_ticket_states.json"), encoding="utf-8"
	) as f:
		defaults = json.load(f)
	settings = frappe.get_single("After-Sales Settings")
	mapped = {row.workflow_state for row in settings.states}
	for row in defaults:
		if row["workflow_state"] not in mapped and frappe.db.exists("Workflow State", row["workflow_state"]):
			settings.append("states", row)
	settings.flags.ignore_permissions = True
	settings.save()


def add_shipped_transitions(old_conditions: dict, actions: set | None = None):
	"""Bring the shipped workflow's transitions to a site that installed an earlier release: a
	missing row (of `actions`, or any) is added where its states exist; a row whose condition is
	still what the earlier release shipped (`old_conditions`, by state, action, next state) gets the
	new one; rows an admin changed are left alone."""
	import json

	install_default_workflow()  # new states and actions
	with open(frappe.get_app_path("aftersales_app", "workflows", "workflow.json"), encoding="utf-8") as f:
		shipped = json.load(f)[0]
	if not frappe.db.exists("Workflow", shipped["name"]):
		return
	workflow = frappe.get_doc("Workflow", shipped["name"])
	have = {(t.state, t.action, t.next_state, t.allowed): t for t in workflow.transitions}
	changed = False
	for row in shipped["transitions"]:
		key = (row["state"], row["action"], row["next_state"], row["allowed"])
		if key in have:
			current = have[key]
			if (
				key[:3] in old_conditions
				and (current.condition or None) == old_conditions[key[:3]]
				and current.condition != row["condition"]
			):
				current.condition = row["condition"]
				changed = True
		elif (actions is None or row["action"] in actions) and all(
			frappe.db.exists("Workflow State", s) for s in (row["state"], row["next_state"])
		):
			fields = ("state", "action", "next_state", "allowed", "allow_self_approval", "condition")
			workflow.append("transitions", {k: row[k] for k in fields})
			changed = True
	if changed:
		workflow.save(ignore_permissions=True)
