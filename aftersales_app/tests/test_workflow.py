"""The Service Ticket Workflow as each role meets it: who may take which action, the conditions,
saves that try to skip the workflow, the status log, and an admin renaming and adding states.

State names appear here only to set up and check; the app's code asks categories."""

import json
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

import frappe
from frappe.model.workflow import (
	WorkflowPermissionError,
	WorkflowTransitionError,
	apply_workflow,
	get_transitions,
	get_workflow_safe_globals,
)

from aftersales_app.api.dispatch import dispatch_ticket
from aftersales_app.api.resolution import dispute_for_customer
from aftersales_app.core.app_fields import AppFieldChangeError
from aftersales_app.core.exceptions import StateEditError, StatusFollowsWorkflowError
from aftersales_app.tests import world
from aftersales_app.tests.utils import (
	act,
	as_user,
	force_state,
	make_sales_invoice,
	make_ticket,
	record_revisit,
)
from aftersales_app.tickets import status as ticket_status

AGENT = world.AGENT
MANAGER = world.MANAGER
TECH = world.TECH
OTHER_TECH = world.TECH_B
FINANCE = world.FINANCE
USERS = {
	"Service Agent": AGENT,
	"After-Sales Manager": MANAGER,
	"Service Technician": TECH,
	"Accounts User": FINANCE,
}
WORKFLOW = json.load(
	open(frappe.get_app_path("aftersales_app", "workflows", "workflow.json"), encoding="utf-8")
)[0]


def edit(ticket, user: str, **values):
	frappe.set_user(user)
	try:
		doc = frappe.get_doc("Service Ticket", ticket.name)
		doc.update(values)
		return doc.save()
	finally:
		frappe.set_user("Administrator")


def actions_for(ticket, user: str) -> set[str]:
	frappe.set_user(user)
	try:
		return {t.action for t in get_transitions(frappe.get_doc("Service Ticket", ticket.name))}
	finally:
		frappe.set_user("Administrator")


def state_of(category: str) -> str:
	return ticket_status.states_of(category)[0]


def test_new_ticket_starts_pending_review_with_a_log_row():
	ticket = make_ticket()
	assert ticket.status == "Pending Review"
	assert ticket.workflow_state == WORKFLOW["states"][0]["state"]
	log = frappe.get_all("Service Ticket Status Log", filters={"ticket": ticket.name}, fields=["*"])
	assert len(log) == 1 and log[0].from_state is None and log[0].to_state == ticket.workflow_state


def test_a_repair_walks_the_workflow_role_by_role():
	ticket = make_ticket(customer=world.CUSTOMER, serial_no=world.SERIAL_IN)
	act(ticket, "审核通过", AGENT)
	with pytest.raises(WorkflowTransitionError):  # no technician and not in the pool
		act(ticket, "派单", AGENT)
	with pytest.raises(AppFieldChangeError):  # whose the ticket is changes through dispatch alone
		edit(ticket, AGENT, assigned_technician=TECH)
	frappe.set_user(AGENT)
	try:
		dispatch_ticket(ticket.name, TECH)  # the dispatch action takes 派单 itself
	finally:
		frappe.set_user("Administrator")
	assert ticket.reload().status == "Awaiting Acceptance"
	with pytest.raises(frappe.PermissionError):  # not this technician's ticket: not even visible
		act(ticket, "接单", OTHER_TECH)
	act(ticket, "接单", TECH)
	assert ticket.reload().status == "In Progress"
	with pytest.raises(WorkflowTransitionError):  # no resolution filed yet
		act(ticket, "提交回单", TECH)
	edit(ticket, TECH, diagnosis="压缩机启动电容损坏", resolution="<p>更换启动电容</p>")
	act(ticket, "提交回单", TECH)
	assert ticket.reload().status == "Awaiting Customer"
	with pytest.raises(WorkflowTransitionError):  # the technician does not confirm their own work
		act(ticket, "确认解决", TECH)
	act(ticket, "确认解决", AGENT)
	assert ticket.reload().status == "Awaiting Revisit"  # not billable: no payment step
	with pytest.raises(WorkflowTransitionError):  # no revisit call recorded yet
		act(ticket, "回访完成", AGENT)
	record_revisit(ticket, AGENT)  # the customer says it is solved: the revisit closes the ticket
	assert ticket.reload().status == "Closed"


def test_billable_ticket_goes_through_payment_and_finance():
	"""The roles and money conditions of the payment steps (test_payments walks them with real
	invoices and payments)."""
	ticket = force_state(make_ticket(assigned_technician=TECH), "Awaiting Customer")
	assert ticket.billable  # no proof of warranty: charged
	act(ticket, "确认解决", AGENT)
	assert ticket.reload().status == "Awaiting Payment"
	with pytest.raises(ticket_status.MoveNeedsActionError):  # money goes to finance with a payment
		act(ticket, "提交回款", TECH)
	money(ticket, unconfirmed_amount=100)
	act(ticket, "提交回款", TECH)
	assert ticket.reload().status == "Payment Submitted"
	with pytest.raises(WorkflowTransitionError):
		act(ticket, "确认回款", AGENT)
	money(ticket, outstanding_amount=100, unconfirmed_amount=100)
	for action in ("确认回款", "退回回款"):  # not while a payment waits for finance
		with pytest.raises(WorkflowTransitionError):
			act(ticket, action, FINANCE)
	money(ticket, outstanding_amount=100, unconfirmed_amount=0)
	with pytest.raises(WorkflowTransitionError):  # not paid
		act(ticket, "确认回款", FINANCE)
	act(ticket, "退回回款", FINANCE)
	assert ticket.reload().status == "Awaiting Payment"
	money(ticket, unconfirmed_amount=100)
	act(ticket, "提交回款", TECH)
	invoice = make_sales_invoice(ticket.customer, world.PRODUCT, submit=False).name
	money(ticket, charge_invoice=invoice, outstanding_amount=0, unconfirmed_amount=0)
	act(ticket, "确认回款", FINANCE)
	assert ticket.reload().status == "Awaiting Revisit"
	with pytest.raises(WorkflowTransitionError):  # reversed only when money is outstanding again
		act(ticket, "冲销回款", FINANCE)
	money(ticket, outstanding_amount=100)
	act(ticket, "冲销回款", FINANCE)
	assert ticket.reload().status == "Awaiting Payment"


def money(ticket, **values):
	frappe.db.set_value("Service Ticket", ticket.name, values, update_modified=False)


def test_hold_needs_a_reason_and_resuming_needs_it_cleared():
	ticket = force_state(make_ticket(assigned_technician=TECH), "In Progress")
	with pytest.raises(WorkflowTransitionError):
		act(ticket, "暂停处理", TECH)
	edit(ticket, TECH, hold_reason="等待压缩机到货")
	act(ticket, "暂停处理", TECH)
	assert ticket.reload().status == "On Hold"
	with pytest.raises(WorkflowTransitionError):
		act(ticket, "恢复处理", TECH)
	edit(ticket, TECH, hold_reason="")
	act(ticket, "恢复处理", TECH)
	assert ticket.reload().status == "In Progress"


def condition_values(transition: dict, user: str) -> dict:
	"""Field values under which a transition's condition holds."""
	condition = transition.get("condition") or ""
	values = {"assigned_technician": TECH if user != OTHER_TECH else OTHER_TECH}
	if "hold_reason" in condition:
		values["hold_reason"] = None if "not doc.hold_reason" in condition else "等待配件"
	if "revisit_result" in condition:
		values["revisit_result"] = "Not Solved" if '"Not Solved"' in condition else "Solved"
	if "resolution" in condition:
		values["resolution"] = "<p>已修复</p>"
	# the money conditions: the first combination of charge fields under which the condition holds
	money_fields = ("billable", "charge_invoice", "outstanding_amount", "unconfirmed_amount")
	if not any(field in condition for field in money_fields):
		return values
	money = [
		{"billable": b, "charge_invoice": i, "outstanding_amount": o, "unconfirmed_amount": u}
		for b in (0, 1)
		for i in (None, "ACC-SINV-TEST")
		for o in (0, 100)
		for u in (0, 100)
	]
	for combination in money:
		doc = frappe._dict(values, **combination)
		if not condition or frappe.safe_eval(condition, get_workflow_safe_globals(), {"doc": doc}):
			return {**values, **combination}
	raise AssertionError(f"no values satisfy {condition}")


@pytest.mark.parametrize(
	"state, action",
	sorted({(t["state"], t["action"]) for t in WORKFLOW["transitions"]}),
)
def test_each_action_is_offered_to_its_roles_and_no_others(state, action):
	allowed = {t["allowed"] for t in WORKFLOW["transitions"] if t["state"] == state and t["action"] == action}
	transition = next(t for t in WORKFLOW["transitions"] if t["state"] == state and t["action"] == action)
	for role, user in USERS.items():
		ticket = make_ticket()
		frappe.db.set_value(
			"Service Ticket",
			ticket.name,
			{"workflow_state": state, **condition_values(transition, user)},
			update_modified=False,
		)
		offered = action in actions_for(ticket, user)
		assert offered == (role in allowed), f"{action} in {state} for {role}"


def test_saving_a_new_state_directly_is_refused():
	ticket = make_ticket()
	ticket.workflow_state = state_of("Closed")
	with pytest.raises(WorkflowPermissionError):
		ticket.save()
	frappe.set_user(AGENT)
	doc = frappe.get_doc("Service Ticket", make_ticket().name)
	doc.workflow_state = state_of("Dispatching")  # a real next state, but not through the action
	doc.status = "Dispatching"
	frappe.set_user(TECH)
	with pytest.raises((WorkflowPermissionError, frappe.PermissionError)):
		doc.save()


def test_status_cannot_be_dragged_to_another_column():
	ticket = make_ticket()
	ticket.status = "Closed"
	with pytest.raises(StatusFollowsWorkflowError):
		ticket.save()


def test_only_the_states_editor_may_change_the_ticket():
	ticket = force_state(
		make_ticket(assigned_technician=TECH, resolution="<p>已修复</p>"), "Awaiting Customer"
	)
	with pytest.raises(StateEditError):
		edit(ticket, TECH, resolution="<p>改成别的</p>")
	edit(ticket, AGENT, resolution="<p>客服补充说明</p>")
	assert "客服补充" in ticket.reload().resolution


def test_log_rows_are_exact_with_durations_from_frozen_time():
	start = datetime(2026, 11, 2, 9, 0, 0)
	with freeze_time(start):
		ticket = make_ticket(assigned_technician=TECH)
	with freeze_time(start + timedelta(hours=1)):
		act(ticket, "审核通过", AGENT)
	with freeze_time(start + timedelta(hours=3, minutes=30)):
		act(ticket, "派单", MANAGER)
	with freeze_time(start + timedelta(hours=3, minutes=35)):
		act(ticket, "接单", TECH)
	rows = frappe.get_all(
		"Service Ticket Status Log",
		filters={"ticket": ticket.name},
		fields=[
			"from_state",
			"to_state",
			"action",
			"changed_by",
			"changed_on",
			"seconds_in_previous",
			"to_category",
		],
		order_by="changed_on",
	)
	assert [(r.action, r.changed_by, r.seconds_in_previous, r.to_category) for r in rows] == [
		(None, "Administrator", 0, "Pending Review"),
		("审核通过", AGENT, 3600, "Dispatching"),
		("派单", MANAGER, 9000, "Awaiting Acceptance"),
		("接单", TECH, 300, "In Progress"),
	]
	assert rows[-1].changed_on - rows[0].changed_on == timedelta(hours=3, minutes=35)
	assert [r.from_state for r in rows[1:]] == [r.to_state for r in rows[:-1]]


def test_dispute_returns_to_the_same_technician_and_is_logged_as_reopening():
	ticket = force_state(
		make_ticket(assigned_technician=TECH, resolution="<p>已修复</p>"), "Awaiting Customer"
	)
	with pytest.raises(ticket_status.MoveNeedsActionError):  # the workflow's button asks no reason
		act(ticket, "客户异议", AGENT)
	as_user(AGENT, dispute_for_customer, ticket.name, "客户说还是不制冷")
	ticket.reload()
	assert ticket.status == "In Progress"
	assert ticket.assigned_technician == TECH
	assert ticket.reopen_count == 1
	last = frappe.get_last_doc("Service Ticket Status Log", filters={"ticket": ticket.name})
	assert last.is_reopen == 1 and last.action == "客户异议"


def test_a_failed_save_leaves_no_log_row():
	ticket = make_ticket()
	before = frappe.db.count("Service Ticket Status Log", {"ticket": ticket.name})
	frappe.db.savepoint("transition")
	act(ticket, "审核通过", AGENT)
	assert frappe.db.count("Service Ticket Status Log", {"ticket": ticket.name}) == before + 1
	frappe.db.rollback(save_point="transition")  # what a failure later in the request does
	assert frappe.db.count("Service Ticket Status Log", {"ticket": ticket.name}) == before
	assert ticket.reload().status == "Pending Review"


@pytest.fixture
def scratch_workflow():
	"""Admin edits to the workflow and settings, undone afterwards (caches included)."""
	yield frappe.get_doc("Workflow", WORKFLOW["name"])
	frappe.db.rollback()
	frappe.clear_cache()


def test_admin_renames_and_adds_states_and_the_app_keeps_working(scratch_workflow):
	work_state = state_of("In Progress")
	for name in ("维修中", "等待配件"):
		frappe.get_doc(
			{"doctype": "Workflow State", "workflow_state_name": name, "style": "Primary"}
		).insert()
	for name in ("等待配件", "配件到货"):
		if not frappe.db.exists("Workflow Action Master", name):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": name}).insert()

	# In the Workflow document: the work state is renamed (Workflow States themselves cannot be
	# renamed in Frappe: the row points at a new one) and a waiting-for-parts state is added.
	workflow = frappe.get_doc("Workflow", WORKFLOW["name"])
	for row in workflow.states:
		if row.state == work_state:
			row.state = "维修中"
	for row in workflow.transitions:
		row.state = "维修中" if row.state == work_state else row.state
		row.next_state = "维修中" if row.next_state == work_state else row.next_state
	workflow.append("states", {"state": "等待配件", "doc_status": "0", "allow_edit": "Service Technician"})
	for state, action, next_state in (("维修中", "等待配件", "等待配件"), ("等待配件", "配件到货", "维修中")):
		workflow.append(
			"transitions",
			{
				"state": state,
				"action": action,
				"next_state": next_state,
				"allowed": "Service Technician",
				"allow_self_approval": 1,
			},
		)
	workflow.save()

	ticket = make_ticket(assigned_technician=TECH)
	act(ticket, "审核通过", AGENT)
	act(ticket, "派单", AGENT)
	with pytest.raises(ticket_status.UnmappedStateError, match="维修中"):
		act(ticket, "接单", TECH)  # a state the settings do not know yet: refused, nothing saved

	settings = frappe.get_doc("After-Sales Settings")
	settings.append(
		"states", {"workflow_state": "维修中", "category": "In Progress", "indicator_color": "blue"}
	)
	with pytest.raises(frappe.ValidationError, match="等待配件"):
		settings.save()  # every state of the workflow must be mapped
	settings = frappe.get_doc("After-Sales Settings")
	settings.append(
		"states", {"workflow_state": "维修中", "category": "In Progress", "indicator_color": "blue"}
	)
	settings.append(
		"states", {"workflow_state": "等待配件", "category": "On Hold", "indicator_color": "orange"}
	)
	settings.save()

	act(ticket, "接单", TECH)
	assert (ticket.reload().workflow_state, ticket.status) == ("维修中", "In Progress")
	act(ticket, "等待配件", TECH)
	assert (ticket.reload().workflow_state, ticket.status) == ("等待配件", "On Hold")
	act(ticket, "配件到货", TECH)
	assert ticket.reload().status == "In Progress"
	edit(ticket, TECH, resolution="<p>更换压缩机</p>")  # the technician edits in the renamed state
	act(ticket, "提交回单", TECH)
	assert ticket.reload().status == "Awaiting Customer"
	log = frappe.get_all(
		"Service Ticket Status Log",
		filters={"ticket": ticket.name},
		fields=["to_state", "to_category"],
		order_by="changed_on, creation",
	)
	assert [r.to_category for r in log][-4:] == ["In Progress", "On Hold", "In Progress", "Awaiting Customer"]


def test_rest_api_cannot_skip_the_workflow_or_the_states_editor(api_url, api_headers):
	import requests

	ticket = force_state(
		make_ticket(assigned_technician=TECH, resolution="<p>已修复</p>"), "Awaiting Customer"
	)
	frappe.db.commit()
	url = f"{api_url}/api/resource/Service Ticket/{ticket.name}"
	try:
		tech = api_headers(TECH)
		response = requests.put(url, json={"resolution": "<p>技术员改写</p>"}, headers=tech, timeout=60)
		assert response.status_code == 403, response.text
		assert response.json()["exc_type"] == "StateEditError"
		response = requests.put(url, json={"warranty_status": "Under Warranty"}, headers=tech, timeout=60)
		assert response.json()["data"]["warranty_status"] == ""  # derived, never taken from a request
		response = requests.put(
			url, json={"workflow_state": state_of("Closed")}, headers=api_headers(AGENT), timeout=60
		)
		assert response.status_code in (403, 417), response.text
		assert response.json()["exc_type"] == "WorkflowPermissionError"
		response = requests.put(url, json={"status": "Closed"}, headers=api_headers(AGENT), timeout=60)
		assert response.json()["exc_type"] == "StatusFollowsWorkflowError"
		frappe.db.rollback()
		saved = frappe.get_doc("Service Ticket", ticket.name)
		assert (saved.status, saved.resolution, saved.warranty_status) == (
			"Awaiting Customer",
			"<p>已修复</p>",
			"",
		)
		assert frappe.db.count("Service Ticket Status Log", {"ticket": ticket.name}) == 1
		# the state's editor may
		response = requests.put(
			url, json={"resolution": "<p>客服补充</p>"}, headers=api_headers(AGENT), timeout=60
		)
		assert response.status_code == 200, response.text
	finally:
		frappe.db.rollback()
		frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
		frappe.db.commit()
