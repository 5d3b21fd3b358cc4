"""Dispatch as agents and technicians meet it on the real site: direct assignment with ToDo, the pool
with real concurrent grabs, qualification, automatic assignment, decline, transfer and the accept
timeout."""

import multiprocessing
import time
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

import frappe
from frappe.tests.utils import change_settings

from aftersales_app.api import dispatch as api
from aftersales_app.core.exceptions import AlreadyTakenError, NotQualifiedError
from aftersales_app.field_service import dispatch
from aftersales_app.tests import world
from aftersales_app.tests.utils import (
	as_user,
	deliver_messages,
	force_state,
	make_dispatch_area,
	make_technician,
	make_ticket,
	site_paths,
)
from aftersales_app.tickets.doctype.service_ticket.service_ticket import ServiceTicket
from aftersales_app.tickets.status import move_to_category

SITE, SITES_PATH = site_paths()

AGENT = world.AGENT
ZHOU, WU, ZHENG, SUN = world.TECH, world.TECH_B, world.TECH_C, world.TECH_D


def dispatching_ticket(**values):
	return force_state(make_ticket(**values), "Dispatching")


def open_todos(ticket) -> list[str]:
	return frappe.get_all(
		"ToDo",
		filters={"reference_type": "Service Ticket", "reference_name": ticket.name, "status": "Open"},
		pluck="allocated_to",
	)


def test_direct_assignment_creates_a_todo_and_a_deadline_then_the_technician_accepts():
	ticket = dispatching_ticket()
	before = frappe.utils.now_datetime()
	ticket = frappe.get_doc(as_user(AGENT, api.dispatch_ticket, ticket.name, ZHOU))
	assert ticket.status == "Awaiting Acceptance"
	deadline = frappe.utils.get_datetime(ticket.accept_deadline)
	assert before + timedelta(minutes=5) <= deadline <= frappe.utils.now_datetime() + timedelta(minutes=5)
	assert open_todos(ticket) == [ZHOU]
	ticket = frappe.get_doc(as_user(ZHOU, api.accept_ticket, ticket.name))
	assert ticket.status == "In Progress" and ticket.accepted_on and not ticket.accept_deadline


def test_a_dispatch_the_workflow_forbids_as_self_approval_is_refused():
	"""The app's one-save moves (status.move_with) refuse what Frappe's apply_workflow refuses: an
	admin who unticks "Allow Self Approval" on the dispatch transitions stops the agent who
	registered a ticket from dispatching it."""
	from frappe.model.workflow import get_workflow_name

	from aftersales_app.tickets.status import category_of

	ticket = dispatching_ticket()
	frappe.db.set_value("Service Ticket", ticket.name, "owner", AGENT, update_modified=False)
	name = get_workflow_name("Service Ticket")
	workflow = frappe.get_doc("Workflow", name)
	for transition in workflow.transitions:
		if category_of(transition.next_state) == "Awaiting Acceptance":
			transition.allow_self_approval = 0
	workflow.save(ignore_permissions=True)
	try:
		with pytest.raises(frappe.PermissionError):
			as_user(AGENT, api.dispatch_ticket, ticket.name, ZHOU)
		assert frappe.db.get_value("Service Ticket", ticket.name, ["status", "assigned_technician"]) == (
			"Dispatching",
			None,
		)
	finally:
		frappe.db.rollback()
		frappe.clear_document_cache("Workflow", name)


def test_technician_lists_own_tickets_and_sees_the_pool_on_its_page():
	mine = dispatch.assign(dispatching_ticket(), ZHOU)
	others = dispatch.assign(dispatching_ticket(), WU)
	pooled = dispatch.put_in_pool(dispatching_ticket())
	frappe.set_user(ZHOU)
	try:
		visible = set(frappe.get_list("Service Ticket", pluck="name", limit_page_length=0))
		assert mine.name in visible
		# a list cannot hide a pool ticket's phone per row: the pool is read through get_pool
		assert others.name not in visible and pooled.name not in visible
		with pytest.raises(frappe.PermissionError):
			frappe.get_doc("Service Ticket", others.name).check_permission("read")
		pool_doc = frappe.get_doc("Service Ticket", pooled.name)
		pool_doc.check_permission("read")  # opened from the pool page, without contact details
		assert not pool_doc.contact_phone
		pool = {row.name: row for row in api.get_pool()}
		assert pooled.name in pool and "contact_phone" not in pool[pooled.name]
	finally:
		frappe.set_user("Administrator")
	# customer service sees the whole pool on the same page
	assert pooled.name in {row.name for row in as_user(AGENT, api.get_pool)}


def test_only_customer_service_dispatches_and_only_technicians_grab():
	ticket = dispatching_ticket()
	with pytest.raises(frappe.PermissionError):
		as_user(ZHOU, api.dispatch_ticket, ticket.name, ZHOU)
	pooled = dispatch.put_in_pool(dispatching_ticket())
	with pytest.raises(frappe.PermissionError):
		as_user(AGENT, api.grab_ticket, pooled.name)


def test_decline_needs_a_reason_and_returns_the_ticket_to_dispatch():
	ticket = dispatch.assign(dispatching_ticket(), ZHOU)
	with pytest.raises(frappe.ValidationError):
		as_user(ZHOU, api.decline_ticket, ticket.name, " ")
	ticket = frappe.get_doc(as_user(ZHOU, api.decline_ticket, ticket.name, "今天在外地,赶不回来"))
	assert ticket.status == "Dispatching" and not ticket.assigned_technician
	assert open_todos(ticket) == []
	assert frappe.db.exists("Comment", {"reference_name": ticket.name, "content": ("like", "%赶不回来%")})
	last = frappe.get_last_doc("Service Ticket Status Log", filters={"ticket": ticket.name})
	assert (last.from_category, last.to_category, last.changed_by) == (
		"Awaiting Acceptance",
		"Dispatching",
		ZHOU,
	)


def test_transfer_to_a_colleague_who_accepts():
	ticket = as_user(ZHOU, dispatch.accept, dispatch.assign(dispatching_ticket(), ZHOU), ZHOU)
	with pytest.raises(NotQualifiedError):  # 郑师傅 serves 华南 only
		as_user(ZHOU, api.request_transfer, ticket.name, ZHENG, "需要热水器专家")
	ticket = frappe.get_doc(as_user(ZHOU, api.request_transfer, ticket.name, WU, "家里有事"))
	assert ticket.transfer_to == WU and set(open_todos(ticket)) == {ZHOU, WU}
	with pytest.raises(frappe.PermissionError):  # a third technician cannot answer
		as_user(SUN, api.answer_transfer, ticket.name, 1)
	ticket = frappe.get_doc(as_user(WU, api.answer_transfer, ticket.name, 1))
	assert ticket.assigned_technician == WU and not ticket.transfer_to
	assert open_todos(ticket) == [WU]
	assert ticket.status == "In Progress"


def test_agent_refuses_a_transfer_and_the_ticket_stays():
	ticket = dispatch.assign(dispatching_ticket(), ZHOU)
	as_user(ZHOU, api.request_transfer, ticket.name, WU, "临时有事")
	ticket = frappe.get_doc(as_user(AGENT, api.answer_transfer, ticket.name, 0))
	assert ticket.assigned_technician == ZHOU and not ticket.transfer_to
	assert open_todos(ticket) == [ZHOU]


def test_pool_ticket_goes_to_a_qualified_technician_and_only_once():
	area = make_dispatch_area("池测试区")
	skilled = make_technician("pool.skilled@aftersales-tests.example.com", skills=[area], territories=[area])
	unskilled = make_technician("pool.unskilled@aftersales-tests.example.com", territories=[area])
	elsewhere = make_technician(
		"pool.elsewhere@aftersales-tests.example.com", skills=[area], territories=[world.EAST]
	)
	second = make_technician("pool.second@aftersales-tests.example.com", skills=[area], territories=[area])
	ticket = dispatch.put_in_pool(dispatching_ticket(ticket_type=area, territory=area))
	assert ticket.in_pool and ticket.status == "Awaiting Acceptance"
	assert ticket.name in [t.name for t in as_user(skilled.user, api.get_pool)]
	assert ticket.name not in [t.name for t in as_user(unskilled.user, api.get_pool)]
	for outsider in (unskilled, elsewhere):
		with pytest.raises(NotQualifiedError):
			as_user(outsider.user, api.grab_ticket, ticket.name)
	ticket = frappe.get_doc(as_user(skilled.user, api.grab_ticket, ticket.name))
	assert (ticket.assigned_technician, ticket.in_pool, ticket.status) == (skilled.user, 0, "In Progress")
	with pytest.raises(AlreadyTakenError):
		as_user(second.user, api.grab_ticket, ticket.name)
	assert open_todos(ticket) == [skilled.user]


def test_pool_lists_what_a_technician_may_grab_in_a_fixed_number_of_queries(monkeypatch):
	"""The pool is read in one query whatever its size: a ticket in a territory under the
	technician's, of a type needing no skill or one of theirs; nothing when they are at capacity.
	The grab saves the ticket once (one version), assigned and accepted."""
	area = make_dispatch_area("池规则区")
	frappe.db.set_value("Territory", area, "is_group", 1)
	if not frappe.db.exists("Territory", "池规则区·北"):
		frappe.get_doc(
			{"doctype": "Territory", "territory_name": "池规则区·北", "parent_territory": area}
		).insert(ignore_permissions=True)
	skilled = make_technician("pool.rules@aftersales-tests.example.com", skills=[area], territories=[area])
	in_child = dispatch.put_in_pool(dispatching_ticket(ticket_type=area, territory="池规则区·北"))
	no_skill = dispatch.put_in_pool(dispatching_ticket(ticket_type="Repair", territory=area))
	elsewhere = dispatch.put_in_pool(dispatching_ticket(ticket_type=area, territory=world.EAST))

	def pool():
		return [t.name for t in as_user(skilled.user, api.get_pool)]

	visible = pool()
	assert in_child.name in visible and no_skill.name in visible and elsewhere.name not in visible

	def queries() -> int:
		frappe.flags.as_pool_queries = 0
		real_sql = frappe.db.sql

		def counting(*args, **kwargs):
			frappe.flags.as_pool_queries += 1
			return real_sql(*args, **kwargs)

		frappe.db.sql = counting
		try:
			pool()
		finally:
			frappe.db.sql = real_sql
		return frappe.flags.as_pool_queries

	few = queries()
	for i in range(10):
		dispatch.put_in_pool(dispatching_ticket(ticket_type=area, territory=area, subject=f"池规则 {i}"))
	assert len(pool()) == len(visible) + 10
	assert queries() == few

	saves, real = [], ServiceTicket.on_update
	monkeypatch.setattr(ServiceTicket, "on_update", lambda self, *a: saves.append(self.name) or real(self))
	ticket = frappe.get_doc(as_user(skilled.user, api.grab_ticket, in_child.name))
	assert (ticket.status, ticket.assigned_technician, ticket.in_pool) == ("In Progress", skilled.user, 0)
	assert saves == [in_child.name]
	frappe.db.set_value("Service Technician", skilled.name, "capacity", 1)
	assert pool() == []


@pytest.fixture
def ten_technicians_and_a_pool_ticket():
	area = make_dispatch_area("抢单测试区")
	users = [
		make_technician(f"grab{i}@aftersales-tests.example.com", skills=[area], territories=[area]).user
		for i in range(10)
	]
	ticket = dispatch.put_in_pool(dispatching_ticket(ticket_type=area, territory=area, subject="抢单测试"))
	frappe.db.commit()
	yield ticket, users
	frappe.db.rollback()
	frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
	frappe.db.delete("ToDo", {"reference_type": "Service Ticket", "reference_name": ticket.name})
	for user in users:
		frappe.delete_doc("Service Technician", user, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_ten_simultaneous_grabs_in_ten_processes_one_wins(ten_technicians_and_a_pool_ticket):
	from aftersales_app.tests.workers import grab_ticket

	ticket, users = ten_technicians_and_a_pool_ticket
	start_at = time.time() + 4
	with multiprocessing.get_context("spawn").Pool(len(users)) as pool:
		results = pool.starmap(
			grab_ticket, [(SITE, str(SITES_PATH), ticket.name, u, start_at) for u in users]
		)
	assert sorted(results) == ["AlreadyTakenError"] * 9 + ["won"]
	frappe.db.rollback()  # see the workers' commits
	winner = users[results.index("won")]
	saved = frappe.get_doc("Service Ticket", ticket.name)
	assert (saved.assigned_technician, saved.in_pool, saved.status) == (winner, 0, "In Progress")
	assert open_todos(saved) == [winner]
	assert (
		frappe.db.count("Service Ticket Status Log", {"ticket": ticket.name, "to_category": "In Progress"})
		== 1
	)


def test_grabs_across_two_app_servers_have_one_winner(ten_technicians_and_a_pool_ticket, api_headers):
	"""Two gunicorn masters serve the site, as two hosts would: ten technicians grab over HTTP at
	once, half through each. The app keeps no lock or state in a process: one wins, the others
	hear it was taken."""
	from aftersales_app.tests.servers import Servers, fire

	ticket, users = ten_technicians_and_a_pool_ticket
	headers = [api_headers(user) for user in users]
	with Servers(SITE, str(SITES_PATH)) as servers:
		results = fire(
			[
				(
					"POST",
					servers.url(servers.ports[i % 2], "/api/method/aftersales_app.api.dispatch.grab_ticket"),
					servers.headers(headers[i]),
					{"ticket": ticket.name},
				)
				for i in range(len(users))
			]
		)
	statuses = sorted(status for _ms, status, _body in results)
	assert statuses == [200] + [417] * (len(users) - 1), results
	assert all("AlreadyTakenError" in body for _ms, status, body in results if status != 200)
	frappe.db.rollback()  # see the servers' commits
	winner = users[next(i for i, r in enumerate(results) if r[1] == 200)]
	saved = frappe.get_doc("Service Ticket", ticket.name)
	assert (saved.assigned_technician, saved.in_pool, saved.status) == (winner, 0, "In Progress")


@pytest.fixture
def one_technician_two_pool_tickets():
	area = make_dispatch_area("容量测试区")
	user = make_technician(
		"capacity.one@aftersales-tests.example.com", skills=[area], territories=[area], capacity=1
	).user
	tickets = [
		dispatch.put_in_pool(dispatching_ticket(ticket_type=area, territory=area, subject=f"容量测试 {i}"))
		for i in range(2)
	]
	frappe.db.commit()
	yield tickets, user
	frappe.db.rollback()
	for ticket in tickets:
		frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
		frappe.db.delete("ToDo", {"reference_type": "Service Ticket", "reference_name": ticket.name})
	frappe.delete_doc("Service Technician", user, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_two_grabs_by_one_technician_at_once_stay_within_capacity(one_technician_two_pool_tickets):
	from aftersales_app.tests.workers import grab_ticket

	tickets, user = one_technician_two_pool_tickets
	start_at = time.time() + 4
	with multiprocessing.get_context("spawn").Pool(2) as pool:
		results = pool.starmap(
			grab_ticket, [(SITE, str(SITES_PATH), t.name, user, start_at) for t in tickets]
		)
	assert sorted(results) == ["NotQualifiedError", "won"]
	frappe.db.rollback()
	assert dispatch.open_loads([user]) == {user: 1}


def test_automatic_assignment_spreads_evenly_and_skips_full_away_and_inactive():
	area = make_dispatch_area("自动派单测试区")
	equal = [
		make_technician(
			f"auto{i}@aftersales-tests.example.com", skills=[area], territories=[area], capacity=20
		).user
		for i in range(3)
	]
	full = make_technician(
		"auto.full@aftersales-tests.example.com", skills=[area], territories=[area], capacity=1
	).user
	away = make_technician(
		"auto.away@aftersales-tests.example.com", skills=[area], territories=[area], capacity=20, away=1
	).user
	idle = make_technician(
		"auto.idle@aftersales-tests.example.com", skills=[area], territories=[area], capacity=20, active=0
	).user
	dispatch.assign(dispatching_ticket(ticket_type=area, territory=area), full)  # now at capacity
	for i in range(30):
		ticket = dispatching_ticket(ticket_type=area, territory=area, subject=f"自动派单 {i}")
		as_user(AGENT, api.auto_assign, ticket.name)
	counts = dispatch.open_loads([*equal, full, away, idle])
	assert [counts.get(u, 0) for u in equal] == [10, 10, 10]
	assert (counts.get(full), counts.get(away, 0), counts.get(idle, 0)) == (1, 0, 0)


def test_no_qualified_technician_is_a_clear_error():
	area = make_dispatch_area("无人区")
	ticket = dispatching_ticket(ticket_type=area, territory=area)
	with pytest.raises(NotQualifiedError):
		dispatch.auto_assign(ticket)
	assert ticket.reload().status == "Dispatching"


@pytest.mark.usefixtures("jobs_do_not_commit")
def test_timeout_job_releases_exactly_the_overdue_tickets():
	start = datetime(2026, 11, 20, 2, 0, 0, 1000)
	with freeze_time(start, tick=True):
		late = [dispatch.assign(dispatching_ticket(), ZHOU) for _ in range(2)]
		accepted = as_user(WU, dispatch.accept, dispatch.assign(dispatching_ticket(), WU), WU)
		pooled = dispatch.put_in_pool(dispatching_ticket())
	with freeze_time(start + timedelta(minutes=3), tick=True):
		fresh = dispatch.assign(dispatching_ticket(), ZHOU)
	with freeze_time(start + timedelta(minutes=6), tick=True):
		dispatch.release_overdue_acceptances()
	for ticket in late:
		ticket.reload()
		assert (ticket.status, ticket.assigned_technician) == ("Dispatching", None)
		assert open_todos(ticket) == []
		assert ticket.responsible_agent  # the responsible agent hears it, not the ticket's creator
		deliver_messages(ticket)
		assert frappe.db.exists(
			"Notification Log", {"document_name": ticket.name, "for_user": ticket.responsible_agent}
		)
	assert pooled.reload().status == "Dispatching" and not pooled.in_pool  # nobody grabbed it
	assert accepted.reload().status == "In Progress"
	assert fresh.reload().status == "Awaiting Acceptance" and fresh.assigned_technician == ZHOU


@change_settings("After-Sales Settings", on_accept_timeout="Back to the Pool")
@pytest.mark.usefixtures("jobs_do_not_commit")
def test_timeout_can_send_tickets_to_the_pool_and_tells_the_agent():
	start = datetime(2026, 11, 20, 2, 0, 0, 1000)
	with freeze_time(start, tick=True):
		ticket = as_user(AGENT, lambda: dispatch.assign(dispatching_ticket(), ZHOU))
	with freeze_time(start + timedelta(minutes=6), tick=True):
		dispatch.release_overdue_acceptances()
	ticket.reload()
	assert (ticket.status, ticket.in_pool, ticket.assigned_technician) == ("Awaiting Acceptance", 1, None)
	deliver_messages(ticket)
	assert frappe.db.exists("Notification Log", {"document_name": ticket.name, "for_user": AGENT})


def test_timeout_query_reads_only_due_rows_by_index():
	sql = dispatch.overdue_acceptance_query(datetime(2026, 11, 20, 2, 0, 0)).get_sql()
	plan = frappe.db.sql(f"explain {sql}", as_dict=True)
	assert "accept_deadline" in (plan[0].get("key") or ""), plan


def test_the_workflows_own_dispatch_and_accept_actions_keep_todo_and_times():
	ticket = dispatching_ticket()
	as_user(AGENT, dispatch.save_dispatch_fields, ticket, assigned_technician=ZHOU)
	ticket = as_user(AGENT, move_to_category, ticket, "Awaiting Acceptance")
	assert ticket.accept_deadline and open_todos(ticket) == [ZHOU]
	ticket = as_user(ZHOU, move_to_category, ticket, "In Progress")
	assert ticket.accepted_on and not ticket.accept_deadline


def test_technician_on_holiday_is_not_dispatched_to():
	from frappe.utils import add_days, nowdate

	area = make_dispatch_area("假期测试区")
	holidays = frappe.get_doc(
		{
			"doctype": "Holiday List",
			"holiday_list_name": "假期测试",
			"from_date": add_days(nowdate(), -10),
			"to_date": add_days(nowdate(), 10),
			"holidays": [{"holiday_date": nowdate(), "description": "调休"}],
		}
	).insert()
	resting = make_technician(
		"holiday.rest@aftersales-tests.example.com",
		skills=[area],
		territories=[area],
		holiday_list=holidays.name,
	)
	working = make_technician("holiday.work@aftersales-tests.example.com", skills=[area], territories=[area])
	ticket = dispatching_ticket(ticket_type=area, territory=area)
	assert [c.name for c in dispatch.qualified_technicians(ticket)] == [working.name]
	assert dispatch.auto_assign(ticket).assigned_technician == working.name
	assert resting.name not in [c.name for c in dispatch.qualified_technicians(ticket)]
