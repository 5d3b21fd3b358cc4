"""What a state freezes stays frozen, tried over HTTP as each role: the fields that decided a
ticket's charge once it is decided, a visit once its return slip is filed, a workflow state written
without what the app's action for that move asks, and a return's shipment told twice. Each refusal
is checked by what is stored before and after; the app's own actions and the desk's workflow
buttons (Frappe's apply_workflow) still work where a move asks for nothing more."""

import json

import pytest
import requests

import frappe
from frappe.utils import flt

from aftersales_app.billing import charging as billing
from aftersales_app.tests import world
from aftersales_app.tests.utils import (
	as_user,
	force_state,
	make_ticket,
	remove_ticket_and_money,
	returned_ticket,
)
from aftersales_app.tickets import status as ticket_status

AGENT, FINANCE, TECH = world.AGENT, world.FINANCE, world.TECH
WORKFLOW = json.load(
	open(frappe.get_app_path("aftersales_app", "workflows", "workflow.json"), encoding="utf-8")
)[0]
TICKET_MONEY = (
	"serial_no",
	"warranty_status",
	"charge_basis",
	"billable",
	"charge_invoice",
	"charge_amount",
	"outstanding_amount",
	"workflow_state",
)


def state_of(category: str) -> str:
	return ticket_status.states_of(category)[0]


def action_of(from_category: str, to_category: str, role: str) -> str:
	"""The workflow's action from one category to another for a role (the shipped workflow's)."""
	return next(
		t["action"]
		for t in WORKFLOW["transitions"]
		if ticket_status.category_of(t["state"]) == from_category
		and ticket_status.category_of(t["next_state"]) == to_category
		and t["allowed"] == role
	)


def stored(doctype: str, name: str, fields) -> dict:
	frappe.db.rollback()  # read what the live server committed, not this transaction's snapshot
	return frappe.db.get_value(doctype, name, list(fields), as_dict=True)


def log_rows(ticket: str) -> list:
	frappe.db.rollback()
	return frappe.get_all(
		"Service Ticket Status Log",
		filters={"ticket": ticket},
		fields=["to_state", "action", "changed_by"],
		order_by="creation",
	)


def refused(response, exc_type: str):
	assert response.status_code in (403, 417), response.text
	assert response.json().get("exc_type") == exc_type, response.text


def message_of(response) -> str:
	"""The messages the desk would show for a refused call."""
	return " ".join(
		json.loads(m).get("message", "") for m in json.loads(response.json().get("_server_messages", "[]"))
	)


def apply_workflow(api_url, headers, ticket: str, action: str):
	"""The desk's workflow button: Frappe's apply_workflow over /api/method."""
	return requests.post(
		f"{api_url}/api/method/frappe.model.workflow.apply_workflow",
		data={"doc": json.dumps({"doctype": "Service Ticket", "name": ticket}), "action": action},
		headers=headers,
		timeout=60,
	)


# --- the charge ----------------------------------------------------------------------------------


@pytest.fixture
def charged_ticket():
	"""An out-of-warranty ticket whose return slip was filed and whose charge invoice is submitted,
	waiting for finance (the state finance edits), committed for the live server."""
	ticket = returned_ticket(world.SERIAL_OUT)
	billing.submit_charge_invoice(frappe.get_doc("Sales Invoice", ticket.charge_invoice))
	billing.refresh_amounts(ticket.name)
	force_state(ticket, ticket_status.PAYMENT_SUBMITTED)
	frappe.db.commit()
	yield ticket
	frappe.db.rollback()
	remove_ticket_and_money(ticket.name)


def test_finance_cannot_make_a_charged_ticket_free_by_its_serial(charged_ticket, api_url, api_headers):
	name = charged_ticket.name
	before = stored("Service Ticket", name, [*TICKET_MONEY, "modified"])
	assert before.billable == 1 and before.charge_basis == "Warranty Expired" and before.charge_amount > 0
	invoice_before = stored("Sales Invoice", before.charge_invoice, ["grand_total", "docstatus"])
	url = f"{api_url}/api/resource/Service Ticket/{name}"

	# finance edits in this state: the serial of a covered unit would make the ticket free
	response = requests.put(
		url, json={"serial_no": world.SERIAL_IN}, headers=api_headers(FINANCE), timeout=60
	)
	refused(response, "ChargeFrozenError")
	labels = {
		"Serial No",
		frappe._("Serial No", lang="zh"),
		frappe._("Serial No", lang="zh", context="Service Ticket"),
	}
	assert any(label in message_of(response) for label in labels), message_of(response)  # names the field
	# every path to the same field: frappe.client.set_value, and the other charge fields
	for user, values in (
		(FINANCE, {"serial_no": world.SERIAL_IN}),
		(world.MANAGER, {"serial_no": world.SERIAL_IN}),
		(world.MANAGER, {"purchase_date": "2026-01-01"}),
		(world.MANAGER, {"ticket_type": "Installation"}),
		(world.MANAGER, {"charge_override": "Free", "charge_override_reason": "免单"}),
	):
		response = requests.post(
			f"{api_url}/api/method/frappe.client.set_value",
			data={"doctype": "Service Ticket", "name": name, "fieldname": json.dumps(values)},
			headers=api_headers(user),
			timeout=60,
		)
		refused(response, "ChargeFrozenError")

	assert stored("Service Ticket", name, [*TICKET_MONEY, "modified"]) == before
	assert stored("Sales Invoice", before.charge_invoice, ["grand_total", "docstatus"]) == invoice_before
	# a save that leaves the charge alone still goes through for the state's editor
	response = requests.put(
		url, json={"diagnosis": "财务备注：已开票"}, headers=api_headers(FINANCE), timeout=60
	)
	assert response.status_code == 200, response.text
	after = stored("Service Ticket", name, TICKET_MONEY)
	assert after == {k: v for k, v in before.items() if k != "modified"}


def test_a_changed_derivation_does_not_change_a_decided_charge(charged_ticket):
	"""The warranty is derived on every save: a serial whose dates changed since keeps the
	decided ticket's warranty and charge as they were."""
	name = charged_ticket.name
	before = frappe.db.get_value("Service Ticket", name, list(TICKET_MONEY), as_dict=True)
	frappe.db.set_value("Serial No", world.SERIAL_OUT, "warranty_expiry_date", "2099-12-31")
	ticket = frappe.get_doc("Service Ticket", name)
	ticket.diagnosis = "再次保存"
	ticket.save()
	assert frappe.db.get_value("Service Ticket", name, list(TICKET_MONEY), as_dict=True) == before


def test_before_the_charge_is_decided_a_correction_reflows_the_draft_invoice(api_url, api_headers):
	ticket = returned_ticket(world.SERIAL_OUT)  # awaiting the customer, with a draft invoice
	draft = ticket.charge_invoice
	assert draft and ticket.charge_amount > 0
	frappe.db.commit()
	try:
		response = requests.put(
			f"{api_url}/api/resource/Service Ticket/{ticket.name}",
			json={"charge_override": "Free", "charge_override_reason": "老客户免单"},
			headers=api_headers(AGENT),
			timeout=60,
		)
		assert response.status_code == 200, response.text
		after = stored("Service Ticket", ticket.name, TICKET_MONEY)
		assert (after.billable, after.charge_basis, after.charge_invoice, flt(after.charge_amount)) == (
			0,
			"Free by Override",
			None,
			0,
		)
		# the draft went with the charge (or, where ERPNext keeps it, is no longer the ticket's)
		assert not frappe.db.get_value("Sales Invoice", {"name": draft, "service_ticket": ticket.name})
		# and back: charged again, the ticket awaiting the customer gets its invoice anew
		response = requests.put(
			f"{api_url}/api/resource/Service Ticket/{ticket.name}",
			json={"charge_override": "", "charge_override_reason": ""},
			headers=api_headers(AGENT),
			timeout=60,
		)
		assert response.status_code == 200, response.text
		after = stored("Service Ticket", ticket.name, TICKET_MONEY)
		assert after.billable == 1 and after.charge_invoice and after.charge_amount > 0
	finally:
		frappe.db.rollback()
		remove_ticket_and_money(ticket.name)


# --- the visit and its return slip ---------------------------------------------------------------


def test_the_technician_cannot_change_a_filed_visit(api_url, api_headers):
	ticket = returned_ticket(world.SERIAL_OUT, parts=((world.PART, 1, 0),))
	visit = frappe.get_doc("Service Visit", ticket.return_slip_visit)
	frappe.db.commit()
	headers = api_headers(TECH)
	part = visit.parts[0]
	visit_fields = ["chargeable_amount", "labour_hours", "labour_not_covered"]
	try:
		before_visit = stored("Service Visit", visit.name, visit_fields)
		before_part = stored("Service Visit Part", part.name, ["qty", "rate", "amount", "not_covered"])
		before_ticket = stored("Service Ticket", ticket.name, TICKET_MONEY)
		assert before_visit.chargeable_amount > 0

		rows = [{**row.as_dict(convert_dates_to_str=True), "rate": 152412170.25} for row in visit.parts]
		attempts = (
			# the form's save of the whole visit, with a new rate, a new quantity, an added part
			("PUT", f"/api/resource/Service Visit/{visit.name}", {"parts": rows}),
			(
				"PUT",
				f"/api/resource/Service Visit/{visit.name}",
				{"parts": [{**rows[0], "rate": before_part.rate, "qty": 9}]},
			),
			(
				"PUT",
				f"/api/resource/Service Visit/{visit.name}",
				{"parts": [*rows[:1], {"item_code": world.PART_FILTER, "qty": 1, "rate": 1}]},
			),
			("PUT", f"/api/resource/Service Visit/{visit.name}", {"labour_hours": 40}),
			("PUT", f"/api/resource/Service Visit/{visit.name}", {"labour_not_covered": 1}),
			# the part row on its own, and through frappe.client
			("PUT", f"/api/resource/Service Visit Part/{part.name}", {"rate": 152412170.25}),
			(
				"POST",
				"/api/method/frappe.client.set_value",
				{"doctype": "Service Visit Part", "name": part.name, "fieldname": "rate", "value": 999999},
			),
		)
		rate_only = {0, 5, 6}  # a part's rate is priced, never the technician's (its permission level)
		for number, (method, path, body) in enumerate(attempts):
			if method == "PUT":
				response = requests.put(f"{api_url}{path}", json=body, headers=headers, timeout=60)
			else:
				response = requests.post(f"{api_url}{path}", data=body, headers=headers, timeout=60)
			if number in rate_only and response.status_code == 200:
				continue  # Frappe kept the stored rate (checked below): nothing was written
			refused(response, "ReturnSlipLockedError")

		assert stored("Service Visit", visit.name, visit_fields) == before_visit
		assert (
			stored("Service Visit Part", part.name, ["qty", "rate", "amount", "not_covered"]) == before_part
		)
		assert frappe.db.count("Service Visit Part", {"parent": visit.name}) == 1
		assert stored("Service Ticket", ticket.name, TICKET_MONEY) == before_ticket
		# what the slip did not file stays open: the technician's notes on the work
		response = requests.put(
			f"{api_url}/api/resource/Service Visit/{visit.name}",
			json={"work_done": "<p>回访前补充照片说明</p>"},
			headers=headers,
			timeout=60,
		)
		assert response.status_code == 200, response.text
	finally:
		frappe.db.rollback()
		remove_ticket_and_money(ticket.name)


# --- the workflow state --------------------------------------------------------------------------


@pytest.fixture
def waiting_ticket():
	"""A ticket assigned to world.TECH, awaiting their acceptance, committed."""
	ticket = force_state(make_ticket(assigned_technician=TECH), ticket_status.AWAITING_ACCEPTANCE)
	frappe.db.commit()
	yield ticket
	frappe.db.rollback()
	frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_a_decline_without_a_reason_is_refused_on_every_path(waiting_ticket, api_url, api_headers):
	name = waiting_ticket.name
	fields = ["workflow_state", "status", "assigned_technician", "modified"]
	before, logged = stored("Service Ticket", name, fields), log_rows(name)
	headers = api_headers(TECH)
	dispatching = state_of(ticket_status.DISPATCHING)

	response = requests.put(
		f"{api_url}/api/resource/Service Ticket/{name}",
		json={"workflow_state": dispatching},
		headers=headers,
		timeout=60,
	)
	refused(response, "MoveNeedsActionError")
	response = requests.post(
		f"{api_url}/api/method/frappe.client.set_value",
		data={"doctype": "Service Ticket", "name": name, "fieldname": "workflow_state", "value": dispatching},
		headers=headers,
		timeout=60,
	)
	refused(response, "MoveNeedsActionError")
	decline = action_of(ticket_status.AWAITING_ACCEPTANCE, ticket_status.DISPATCHING, "Service Technician")
	refused(apply_workflow(api_url, headers, name, decline), "MoveNeedsActionError")

	assert stored("Service Ticket", name, fields) == before
	assert log_rows(name) == logged

	# the app's decline asks the reason, and its log row names the decline
	response = requests.post(
		f"{api_url}/api/method/aftersales_app.api.dispatch.decline_ticket",
		data={"ticket": name, "reason": "不在服务区域"},
		headers=headers,
		timeout=60,
	)
	assert response.status_code == 200, response.text
	after = stored("Service Ticket", name, ["status", "assigned_technician"])
	assert (after.status, after.assigned_technician) == (ticket_status.DISPATCHING, None)
	last = log_rows(name)[-1]
	assert (last.action, last.changed_by) == (decline, TECH)


def test_customer_services_withdrawal_through_the_workflow_button_is_logged_as_itself(
	waiting_ticket, api_url, api_headers
):
	withdraw = action_of(ticket_status.AWAITING_ACCEPTANCE, ticket_status.DISPATCHING, "Service Agent")
	response = apply_workflow(api_url, api_headers(AGENT), waiting_ticket.name, withdraw)
	assert response.status_code == 200, response.text
	last = log_rows(waiting_ticket.name)[-1]
	assert (last.action, last.changed_by) == (withdraw, AGENT)


def test_workflow_buttons_that_ask_nothing_more_still_work(api_url, api_headers):
	ticket = make_ticket(assigned_technician=TECH)  # pending review
	frappe.db.commit()
	try:
		agent, tech = api_headers(AGENT), api_headers(TECH)
		approve = action_of(ticket_status.PENDING_REVIEW, ticket_status.DISPATCHING, "Service Agent")
		assert apply_workflow(api_url, agent, ticket.name, approve).status_code == 200
		dispatch = action_of(ticket_status.DISPATCHING, ticket_status.AWAITING_ACCEPTANCE, "Service Agent")
		assert apply_workflow(api_url, agent, ticket.name, dispatch).status_code == 200
		accept = action_of(ticket_status.AWAITING_ACCEPTANCE, ticket_status.IN_PROGRESS, "Service Technician")
		assert apply_workflow(api_url, tech, ticket.name, accept).status_code == 200

		# a hold asks its reason (the transition's condition, checked by Frappe on every path)
		hold = action_of(ticket_status.IN_PROGRESS, ticket_status.ON_HOLD, "Service Technician")
		url = f"{api_url}/api/resource/Service Ticket/{ticket.name}"
		response = requests.put(
			url, json={"workflow_state": state_of(ticket_status.ON_HOLD)}, headers=tech, timeout=60
		)
		refused(response, "WorkflowPermissionError")
		assert stored("Service Ticket", ticket.name, ["status"]).status == ticket_status.IN_PROGRESS
		assert requests.put(url, json={"hold_reason": "等待配件"}, headers=tech, timeout=60).ok
		assert apply_workflow(api_url, tech, ticket.name, hold).status_code == 200

		assert [(r.action, r.changed_by) for r in log_rows(ticket.name)[1:]] == [
			(approve, AGENT),
			(dispatch, AGENT),
			(accept, TECH),
			(hold, TECH),
		]
		assert stored("Service Ticket", ticket.name, ["status"]).status == ticket_status.ON_HOLD
	finally:
		frappe.db.rollback()
		frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
		frappe.db.commit()


def test_a_dispute_needs_its_reason(api_url, api_headers):
	ticket = force_state(
		make_ticket(assigned_technician=TECH, resolution="<p>已修复</p>"), ticket_status.AWAITING_CUSTOMER
	)
	frappe.db.commit()
	try:
		agent = api_headers(AGENT)
		dispute = action_of(ticket_status.AWAITING_CUSTOMER, ticket_status.IN_PROGRESS, "Service Agent")
		logged = log_rows(ticket.name)
		refused(apply_workflow(api_url, agent, ticket.name, dispute), "MoveNeedsActionError")
		response = requests.put(
			f"{api_url}/api/resource/Service Ticket/{ticket.name}",
			json={"workflow_state": state_of(ticket_status.IN_PROGRESS)},
			headers=agent,
			timeout=60,
		)
		refused(response, "MoveNeedsActionError")
		assert stored("Service Ticket", ticket.name, ["status"]).status == ticket_status.AWAITING_CUSTOMER
		assert log_rows(ticket.name) == logged

		response = requests.post(
			f"{api_url}/api/method/aftersales_app.api.resolution.dispute_for_customer",
			data={"ticket": ticket.name, "reason": "还是不制冷"},
			headers=agent,
			timeout=60,
		)
		assert response.status_code == 200, response.text
		after = stored("Service Ticket", ticket.name, ["status", "dispute_reason"])
		assert (after.status, after.dispute_reason) == (ticket_status.IN_PROGRESS, "还是不制冷")
		assert log_rows(ticket.name)[-1].action == dispute
		response = requests.post(
			f"{api_url}/api/method/aftersales_app.api.resolution.dispute_for_customer",
			data={"ticket": ticket.name, "reason": "技术员代客户"},
			headers=api_headers(TECH),
			timeout=60,
		)
		assert response.status_code == 403, response.text
	finally:
		frappe.db.rollback()
		frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
		frappe.db.commit()


# --- a return's shipment -------------------------------------------------------------------------


def test_shipped_is_told_once_per_return(api_url, api_headers):
	from aftersales_app.api import returns as returns_api

	ticket = force_state(make_ticket(ticket_type="Product Return"), ticket_status.IN_PROGRESS)
	ret = as_user(
		AGENT,
		returns_api.authorise,
		ticket=ticket.name,
		return_type="Refund",
		reason="Quality Problem",
		condition_expected="Like New",
		item_code=world.PRODUCT,
	)["name"]
	frappe.db.commit()

	def counts():
		frappe.db.rollback()
		return (
			frappe.db.count("Service Return Step", {"parent": ret}),
			frappe.db.count("After-Sales Message", {"reference_name": ("in", [ret, ticket.name])}),
			frappe.db.count("Comment", {"reference_name": ("in", [ret, ticket.name])}),
			frappe.db.get_value("Service Return", ret, "modified"),
		)

	def ship(carrier: str, tracking_no: str, user: str = world.PORTAL_USER):
		return requests.post(
			f"{api_url}/api/method/aftersales_app.api.returns.record_shipment",
			data={"name": ret, "carrier": carrier, "tracking_no": tracking_no},
			headers=api_headers(user),
			timeout=60,
		)

	try:
		first = ship("顺丰速运", "SF1234567890")
		assert first.status_code == 200, first.text
		after_first = counts()
		again = ship("顺丰速运", "SF1234567890")
		assert again.status_code == 200 and again.json() == first.json()
		assert counts() == after_first
		refused(ship("中通快递", "ZT000"), "ReturnStepError")  # the customer's second shipment
		assert counts() == after_first
		assert [s.step for s in frappe.get_doc("Service Return", ret).steps].count("Shipped") == 1

		# customer service corrects the number in the one Shipped step
		assert ship("顺丰速运", "SF1234567899", AGENT).status_code == 200
		doc = frappe.get_doc("Service Return", ret)
		assert doc.tracking_no == "SF1234567899"
		assert [(s.step, s.note) for s in doc.steps if s.step == "Shipped"] == [
			("Shipped", "顺丰速运 SF1234567899")
		]
		assert counts()[:3] == after_first[:3]
	finally:
		frappe.db.rollback()
		frappe.delete_doc("Service Return", ret, force=True, ignore_permissions=True)
		frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
		frappe.db.commit()
