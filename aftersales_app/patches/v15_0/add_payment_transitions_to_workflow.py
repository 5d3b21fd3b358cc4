import json

import frappe

# What the shipped workflow said before charging came: rows still saying it are updated, rows an
# admin changed are left alone.
OLD_CONDITIONS = {
	("待确认", "确认解决", "待回款"): "doc.billable",
	("待确认", "确认解决", "待回访"): "not doc.billable",
	("待财务确认", "确认回款", "待回访"): None,
	("待财务确认", "退回回款", "待回款"): None,
}


def execute():
	"""The payment steps of the shipped workflow on sites that installed it before charging:
	finance may submit a payment and reverse one (冲销回款), and the money conditions."""
	from aftersales_app.setup.workflow import install_default_workflow

	install_default_workflow()  # new states and actions (冲销回款)
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
			if key[:3] not in OLD_CONDITIONS:
				continue
			if (current.condition or None) == OLD_CONDITIONS[key[:3]] and current.condition != row[
				"condition"
			]:
				current.condition = row["condition"]
				changed = True
		elif frappe.db.exists("Workflow State", row["state"]) and frappe.db.exists(
			"Workflow State", row["next_state"]
		):
			fields = ("state", "action", "next_state", "allowed", "allow_self_approval", "condition")
			workflow.append("transitions", {k: row[k] for k in fields})
			changed = True
	if changed:
		workflow.save(ignore_permissions=True)
