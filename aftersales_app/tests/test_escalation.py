"""Time on the ticket: ERPNext's Service Level Agreement on Service Ticket (targets per priority,
paused on hold, met by the return slip, breach recorded), the app's warnings and escalations at
After-Sales Settings' points (each exactly once, also when the job runs twice or dies half-way),
time limits per state, hand-over on escalation, and customers' urges (催单)."""

from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import get_datetime

from aftersales_app.api import dispatch as dispatch_api
from aftersales_app.api import portal as portal_api
from aftersales_app.core import roles
from aftersales_app.core.exceptions import UrgeTooSoonError
from aftersales_app.field_service import dispatch
from aftersales_app.tests import world
from aftersales_app.tests.utils import (
	as_user,
	force_state,
	make_dispatch_area,
	make_technician,
	make_ticket,
	returned_ticket,
)
from aftersales_app.tickets import escalation
from aftersales_app.tickets.setup.sla import AGREEMENT, TARGETS
from aftersales_app.tickets.setup.ticket_types import get_priority
from aftersales_app.tickets.status import move_to_category

START = datetime(2026, 11, 20, 2, 0, 0)  # UTC; 10:00 in Shanghai, the site's time zone
HOUR = timedelta(hours=1)


pytestmark = pytest.mark.usefixtures("jobs_do_not_commit")


def told(ticket, event) -> list[str]:
	return sorted(
		frappe.get_all(
			"After-Sales Message",
			filters={"reference_name": ticket.name, "event": event},
			pluck="recipient",
		)
	)


def comments(ticket) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_name": ticket.name, "comment_type": "Info"},
		pluck="content",
		order_by="creation",
	)


def in_progress(**values):
	"""A ticket of the agent's, accepted by world.TECH (its first response)."""
	ticket = force_state(as_user(world.AGENT, make_ticket, **values), "Dispatching")
	ticket = dispatch.assign(ticket, world.TECH)
	return as_user(world.TECH, dispatch.accept, ticket, world.TECH)


def local(moment: datetime) -> datetime:
	"""A UTC moment in the site's time zone, as the ticket's datetimes are stored."""
	from frappe.utils import convert_utc_to_system_timezone

	return convert_utc_to_system_timezone(moment).replace(tzinfo=None)


# --- ERPNext's agreement ----------------------------------------------------------------------


@pytest.mark.parametrize("level,response,resolution,default", TARGETS)
def test_targets_per_priority(level, response, resolution, default):
	with freeze_time(START):
		ticket = make_ticket(priority=get_priority(level))
	assert ticket.service_level_agreement == frappe.db.get_value(
		"Service Level Agreement", {"document_type": "Service Ticket", "default_service_level_agreement": 1}
	)
	created = get_datetime(ticket.service_level_agreement_creation or ticket.creation)  # ERPNext's start
	assert created == local(START)
	# round-the-clock support hours end at 23:59:59: a second lost at each midnight crossed
	assert abs((get_datetime(ticket.response_by) - created).total_seconds() - response) <= 5
	assert abs((get_datetime(ticket.sla_resolution_by) - created).total_seconds() - resolution) <= 5
	assert ticket.agreement_status == "First Response Due"


def test_the_default_agreement_is_erpnexts_own_record():
	sla = frappe.get_doc("Service Level Agreement", {"document_type": "Service Ticket"})
	assert sla.default_service_level_agreement and sla.apply_sla_for_resolution and sla.holiday_list
	assert sla.service_level in (AGREEMENT, "售后标准服务")
	assert {p.status for p in sla.pause_sla_on} == {"On Hold", "Rejected", "Cancelled"}
	assert "Awaiting Customer" in {s.status for s in sla.sla_fulfilled_on}
	assert frappe.db.get_single_value("Support Settings", "track_service_level_agreement")


def test_acceptance_is_the_first_response_and_the_return_slip_the_resolution():
	with freeze_time(START, tick=True):
		ticket = in_progress()
	assert get_datetime(ticket.first_responded_on) == get_datetime(ticket.accepted_on)
	assert ticket.first_response_time >= 0
	assert ticket.agreement_status == "Resolution Due"
	with freeze_time(START + 3 * HOUR, tick=True):
		done = returned_ticket(ticket=ticket)
	assert done.status == "Awaiting Customer"
	assert get_datetime(done.sla_resolution_date) > get_datetime(done.first_responded_on)
	assert done.agreement_status == "Fulfilled"
	# resolved: only the time allowed in Awaiting Customer is watched now
	assert get_datetime(done.escalation_due) == get_datetime(done.state_since) + timedelta(hours=72)


def test_a_reply_to_the_customer_before_acceptance_is_the_first_response():
	with freeze_time(START, tick=True):
		ticket = as_user(world.AGENT, make_ticket)
	with freeze_time(START + HOUR, tick=True):
		as_user(
			world.AGENT,
			lambda: frappe.get_doc(
				{
					"doctype": "Communication",
					"communication_type": "Communication",
					"communication_medium": "Email",
					"sent_or_received": "Sent",
					"subject": "回复：空调不制冷",
					"content": "您好，我们已收到，今天安排师傅联系您。",
					"sender": world.AGENT,
					"recipients": world.PORTAL_USER,
					"reference_doctype": "Service Ticket",
					"reference_name": ticket.name,
				}
			).insert(ignore_permissions=True),
		)
	ticket.reload()
	assert get_datetime(ticket.first_responded_on) > get_datetime(ticket.creation)
	assert 3500 <= ticket.first_response_time <= 3700
	with freeze_time(START + 2 * HOUR, tick=True):
		ticket = in_progress_from(ticket)
	assert 3500 <= ticket.first_response_time <= 3700  # the acceptance does not move it


def in_progress_from(ticket):
	ticket = dispatch.assign(force_state(ticket, "Dispatching"), world.TECH)
	return as_user(world.TECH, dispatch.accept, ticket, world.TECH)


def test_hold_pauses_the_clock_and_resuming_moves_the_target():
	with freeze_time(START, tick=True):
		ticket = in_progress()
	target = get_datetime(ticket.sla_resolution_by)
	assert ticket.escalation_due
	with freeze_time(START + HOUR, tick=True):
		ticket.db_set("hold_reason", "等配件")
		ticket = move_to_category(ticket, "On Hold", as_user=world.TECH)
	assert ticket.on_hold_since and not ticket.escalation_due  # nothing is due while paused
	with freeze_time(START + 6 * HOUR, tick=True):
		ticket.db_set("hold_reason", None)
		ticket = move_to_category(ticket, "In Progress", as_user=world.TECH)
	assert not ticket.on_hold_since
	assert 5 * 3600 - 60 <= ticket.total_hold_time <= 5 * 3600 + 60
	moved = (get_datetime(ticket.sla_resolution_by) - target).total_seconds()
	assert 5 * 3600 - 60 <= moved <= 5 * 3600 + 60
	assert ticket.escalation_due


def test_a_late_resolution_is_recorded_as_a_breach():
	with freeze_time(START, tick=True):
		ticket = in_progress(priority=get_priority("Urgent"))
	with freeze_time(START + 30 * HOUR, tick=True):  # urgent: 24 h to resolve
		late = returned_ticket(ticket=ticket)
	assert get_datetime(late.sla_resolution_date) > get_datetime(late.sla_resolution_by)
	assert late.agreement_status == "Failed"


# --- warnings and escalation -------------------------------------------------------------------


def test_warnings_at_50_and_80_percent_and_escalation_each_exactly_once():
	with freeze_time(START, tick=True):
		ticket = in_progress(priority=get_priority("Medium"))  # 48 h to resolve
	managers = roles.users_with({roles.MANAGER})
	for hours, tech, agent, boss in (
		(23, [], [], []),
		(25, [world.TECH], [], []),
		(39, [world.TECH], [world.AGENT], []),
		(49, [world.TECH], [world.AGENT], managers),
	):
		with freeze_time(START + hours * HOUR, tick=True):
			escalation.escalate_due()
			escalation.escalate_due()  # the job run twice tells nothing twice
		assert told(ticket, "sla_warning") == sorted(tech + agent), hours
		assert told(ticket, "sla_escalation") == sorted(boss), hours
	ticket.reload()
	assert ticket.escalation_level == 3 and not ticket.escalation_due
	logged = comments(ticket)
	assert len([c for c in logged if "50%" in c]) == 1 and len([c for c in logged if "100%" in c]) == 1


def test_a_job_that_dies_half_way_tells_everything_once_when_run_again(monkeypatch):
	with freeze_time(START, tick=True):
		ticket = in_progress(priority=get_priority("Medium"))
	original = escalation.tell_point
	calls = []

	def dies_after_the_first(ticket, row):
		calls.append(row.percent)
		original(ticket, row)
		if len(calls) == 1:
			raise SystemExit("worker killed")

	monkeypatch.setattr(escalation, "tell_point", dies_after_the_first)
	with freeze_time(START + 49 * HOUR, tick=True):
		frappe.db.savepoint("before_the_job")
		with pytest.raises(SystemExit):
			escalation.escalate(ticket.name)
		frappe.db.rollback(save_point="before_the_job")  # what the killed worker's transaction comes to
		monkeypatch.setattr(escalation, "tell_point", original)
		assert told(ticket, "sla_warning") == []
		escalation.escalate_due()
		escalation.escalate_due()
	assert told(ticket, "sla_warning") == sorted([world.TECH, world.AGENT])
	assert told(ticket, "sla_escalation") == sorted(roles.users_with({roles.MANAGER}))


def test_the_job_reads_due_tickets_by_index():
	sql = escalation.due_query(datetime(2026, 11, 20, 2, 0, 0)).get_sql()
	plan = frappe.db.sql(f"explain {sql}", as_dict=True)
	assert "escalation_due" in (plan[0].get("key") or ""), plan


def test_points_of_a_territory_replace_the_general_ones():
	area = make_dispatch_area("加急片区")
	settings = frappe.get_single("After-Sales Settings")
	settings.append("escalation_levels", {"percent": 30, "notify": "After-Sales Manager", "territory": area})
	settings.flags.ignore_validate = True
	settings.save()
	frappe.clear_document_cache("After-Sales Settings", "After-Sales Settings")
	technician = make_technician(f"urgent.area@{world.DOMAIN}", skills=[area], territories=[area])
	with freeze_time(START, tick=True):
		ticket = force_state(
			as_user(world.AGENT, make_ticket, ticket_type=area, territory=area), "Dispatching"
		)
		ticket = as_user(
			technician.user, dispatch.accept, dispatch.assign(ticket, technician.name), technician.user
		)
	assert [r.percent for r in escalation.levels_for(ticket)] == [30]
	with freeze_time(START + 26 * HOUR, tick=True):  # past 50 % of 48 h, past 30 %
		escalation.escalate_due()
	assert told(ticket, "sla_warning") == sorted(roles.users_with({roles.MANAGER}))
	assert told(ticket, "sla_escalation") == []


def test_escalation_hands_the_ticket_to_another_technician_when_settings_say_so():
	area = make_dispatch_area("升级改派")
	first = make_technician(f"escalate.first@{world.DOMAIN}", skills=[area], territories=[area])
	second = make_technician(f"escalate.second@{world.DOMAIN}", skills=[area], territories=[area])
	settings = frappe.get_single("After-Sales Settings")
	for row in settings.escalation_levels:
		if row.percent >= 100:
			row.reassign = 1
	settings.flags.ignore_validate = True
	settings.save()
	frappe.clear_document_cache("After-Sales Settings", "After-Sales Settings")
	with freeze_time(START, tick=True):
		ticket = force_state(
			as_user(world.AGENT, make_ticket, ticket_type=area, territory=area), "Dispatching"
		)
		ticket = as_user(first.user, dispatch.accept, dispatch.assign(ticket, first.name), first.user)
	with freeze_time(START + 49 * HOUR, tick=True):
		escalation.escalate_due()
	ticket.reload()
	assert ticket.assigned_technician == second.name and ticket.status == "In Progress"
	assert frappe.db.exists(
		"ToDo", {"reference_name": ticket.name, "allocated_to": second.name, "status": "Open"}
	)
	assert not frappe.db.exists(
		"ToDo", {"reference_name": ticket.name, "allocated_to": first.name, "status": "Open"}
	)
	assert any("升级" in c or "Escalated" in c for c in comments(ticket))


def test_too_long_in_a_state_tells_once_per_stay():
	with freeze_time(START, tick=True):
		ticket = in_progress(priority=get_priority("Low"))  # 72 h: the state limit comes first
	with freeze_time(START + 47 * HOUR, tick=True):
		escalation.escalate_due()
	assert told(ticket, "state_overdue") == []
	with freeze_time(START + 49 * HOUR, tick=True):
		escalation.escalate_due()
		escalation.escalate_due()
	assert told(ticket, "state_overdue") == [world.AGENT]
	ticket.reload()
	assert get_datetime(ticket.state_alerted_for) == get_datetime(ticket.state_since)
	assert ticket.escalation_due  # the resolution points are still ahead


# --- urges (催单) -------------------------------------------------------------------------------


@change_settings("After-Sales Settings", urges_to_escalate=2)
def test_the_customer_urges_once_an_hour_and_the_second_urge_escalates():
	with freeze_time(START, tick=True):
		ticket = in_progress(customer=world.CUSTOMER)
		as_user(world.PORTAL_USER, portal_api.urge_ticket, ticket.name, "师傅什么时候到？")
		assert told(ticket, "urge_received") == sorted([world.TECH, world.AGENT])
	with freeze_time(START + timedelta(minutes=30), tick=True):
		with pytest.raises(UrgeTooSoonError):
			as_user(world.PORTAL_USER, portal_api.urge_ticket, ticket.name)
	assert frappe.db.get_value("Service Ticket", ticket.name, "urge_count") == 1
	assert told(ticket, "urge_received") == sorted([world.TECH, world.AGENT])
	with freeze_time(START + timedelta(minutes=61), tick=True):
		as_user(world.AGENT, dispatch_api.record_urge, ticket.name, "客户来电催单")
	assert frappe.db.get_value("Service Ticket", ticket.name, "urge_count") == 2
	assert told(ticket, "urge_escalation") == sorted(roles.users_with({roles.MANAGER}))
	assert len([c for c in comments(ticket) if "催单" in c or "urged" in c]) >= 2


def test_only_the_tickets_customer_or_customer_service_may_urge():
	ticket = in_progress(customer=world.CUSTOMER_B)
	with pytest.raises(frappe.PermissionError):
		as_user(world.PORTAL_USER, portal_api.urge_ticket, ticket.name)  # another customer's
	with pytest.raises(frappe.PermissionError):
		as_user(world.TECH, dispatch_api.record_urge, ticket.name)
	with pytest.raises(frappe.PermissionError):
		as_user("Guest", portal_api.urge_ticket, ticket.name)
	assert not frappe.db.get_value("Service Ticket", ticket.name, "urge_count")
	closed = force_state(make_ticket(customer=world.CUSTOMER), "Closed")
	with pytest.raises(frappe.ValidationError):
		as_user(world.PORTAL_USER, portal_api.urge_ticket, closed.name)


@change_settings("After-Sales Settings", urges_to_escalate=0)
def test_urges_escalate_only_when_settings_say_so():
	ticket = in_progress(customer=world.CUSTOMER)
	frappe.clear_document_cache("After-Sales Settings", "After-Sales Settings")
	for minutes in (0, 61, 122):
		with freeze_time(START + timedelta(minutes=minutes)):
			escalation.urge(ticket.name)
	assert frappe.db.get_value("Service Ticket", ticket.name, "urge_count") == 3
	assert told(ticket, "urge_escalation") == []
