"""Satisfaction surveys (满意度回访) on the real site with frozen time: made when the customer confirms,
sent once after the delay with a one-time link, answered once (through the link without a login,
or signed in), a used, expired or unknown link refused alike with nothing written, and a low answer
opening exactly one complaint for the After-Sales Manager."""

from datetime import datetime, timedelta

import pytest
import requests
from freezegun import freeze_time

import frappe

from aftersales_app.api import portal as api
from aftersales_app.core import guest_limits, roles
from aftersales_app.customer_care import surveys
from aftersales_app.tests import world
from aftersales_app.tests.mail import sent_token
from aftersales_app.tests.utils import as_user, force_state, make_ticket

START = datetime(2026, 11, 20, 2, 0, 0)
GOOD = {"response_speed": 5, "problem_solving": 4, "attitude": 5, "overall": "Satisfied", "recommend": 9}
LOW = {"response_speed": 4, "problem_solving": 2, "attitude": 4, "overall": "Neutral", "recommend": 6}


@pytest.fixture(autouse=True)
def no_commits_but_over_http(request):
	"""The sending job commits after each survey: the test's rollback undoes it instead (but for
	the test over HTTP, whose server reads committed data)."""
	if "live_server" not in request.fixturenames:
		request.getfixturevalue("jobs_do_not_commit")
	guest_limits.reset()
	yield
	guest_limits.reset()


def confirmed_ticket(**values):
	"""A ticket of world.CUSTOMER the customer confirmed (free: on to Awaiting Revisit)."""
	ticket = force_state(
		make_ticket(assigned_technician=world.TECH, resolution="<p>已修复</p>", **values), "Awaiting Customer"
	)
	as_user(world.PORTAL_USER, api.confirm_resolution, ticket.name)
	return ticket.reload()


def survey_of(ticket):
	names = frappe.get_all("Service Survey", filters={"service_ticket": ticket.name}, pluck="name")
	assert len(names) == 1, names
	return frappe.get_doc("Service Survey", names[0])


def sent_link(survey) -> str:
	"""The token from the link in the e-mail the customer was sent (the outbox row itself shows a
	placeholder: aftersales_app.notifications.secrets)."""
	return sent_token("Service Survey", survey.name, "survey_due")


def test_made_on_confirmation_and_sent_once_after_the_delay():
	with freeze_time(START, tick=True):
		ticket = confirmed_ticket()
	survey = survey_of(ticket)
	assert (survey.status, survey.technician, survey.customer) == ("Pending", world.TECH, world.CUSTOMER)
	with freeze_time(START + timedelta(hours=23), tick=True):
		surveys.send_due()
	assert survey.reload().status == "Pending"
	with freeze_time(START + timedelta(hours=25), tick=True):
		surveys.send_due()
		surveys.send_due()  # run twice: sent once
	survey.reload()
	assert survey.status == "Sent" and survey.token_hash and survey.expires_on
	rows = frappe.get_all(
		"After-Sales Message",
		filters={"reference_doctype": "Service Survey", "reference_name": survey.name},
		fields=["channel", "recipient", "message"],
	)
	assert [(r.channel, r.recipient) for r in rows] == [("Email", world.PORTAL_USER)]
	assert "[one-time link]" in rows[0].message and "token=" not in rows[0].message
	token = sent_link(survey)
	assert token not in (survey.token_hash or "")  # only the hash is kept
	# confirming again after a reopening is a new resolution: a new survey; the same one is not
	surveys.make_survey(ticket.reload())
	assert len(frappe.get_all("Service Survey", filters={"service_ticket": ticket.name})) == 1


def test_answered_once_through_the_link_and_refused_after():
	with freeze_time(START, tick=True):
		ticket = confirmed_ticket()
	with freeze_time(START + timedelta(hours=25), tick=True):
		surveys.send_due()
		survey = survey_of(ticket)
		token = sent_link(survey)
		as_user("Guest", api.answer_survey, token=token, **GOOD, comment="师傅很专业")
		survey.reload()
		assert (survey.status, survey.overall, survey.recommend, survey.answered_by) == (
			"Answered",
			"Satisfied",
			9,
			"Guest",
		)
		assert survey.comment == "师傅很专业" and not survey.complaint_ticket
		modified = survey.modified
		for attempt in (token, "not-a-token", ""):
			with pytest.raises((frappe.DoesNotExistError, frappe.PermissionError)):
				as_user("Guest", api.answer_survey, token=attempt, **LOW)
	assert survey.reload().modified == modified and survey.overall == "Satisfied"
	assert not frappe.db.exists("Service Ticket", {"related_ticket": ticket.name})


def test_an_expired_link_reveals_nothing_and_writes_nothing():
	with freeze_time(START, tick=True):
		ticket = confirmed_ticket()
	with freeze_time(START + timedelta(hours=25), tick=True):
		surveys.send_due()
	survey = survey_of(ticket)
	token = sent_link(survey)
	with freeze_time(START + timedelta(days=16), tick=True):
		with pytest.raises(frappe.DoesNotExistError) as expired:
			as_user("Guest", api.answer_survey, token=token, **GOOD)
		with pytest.raises(frappe.DoesNotExistError) as unknown:
			as_user("Guest", api.answer_survey, token="x" * 32, **GOOD)
		assert str(expired.value) == str(unknown.value)
		surveys.send_due()
	assert survey.reload().status == "Expired" and not survey.overall


def test_a_low_answer_opens_exactly_one_complaint_for_the_manager():
	with freeze_time(START, tick=True):
		ticket = confirmed_ticket()
	with freeze_time(START + timedelta(hours=25), tick=True):
		surveys.send_due()
		survey = survey_of(ticket)
		as_user(world.PORTAL_USER, api.answer_survey, ticket=ticket.name, **LOW)
		with pytest.raises(frappe.DoesNotExistError):
			as_user(world.PORTAL_USER, api.answer_survey, ticket=ticket.name, **LOW)
	complaints = frappe.get_all(
		"Service Ticket",
		filters={"related_ticket": ticket.name},
		fields=["name", "ticket_type", "customer", "responsible_agent", "description"],
	)
	assert len(complaints) == 1
	complaint = complaints[0]
	assert complaint.ticket_type == "Service Complaint" and complaint.customer == world.CUSTOMER
	assert complaint.responsible_agent in roles.users_with({roles.MANAGER})
	assert survey.reload().complaint_ticket == complaint.name and survey.answered_by == world.PORTAL_USER
	told = frappe.get_all(
		"After-Sales Message",
		filters={"reference_name": complaint.name, "event": "complaint_opened"},
		pluck="recipient",
	)
	assert sorted(told) == sorted(roles.users_with({roles.MANAGER}))
	# the complaint itself is not surveyed when it is confirmed
	assert surveys.make_survey(frappe.get_doc("Service Ticket", complaint.name)) is None


@pytest.mark.parametrize(
	"bad",
	[
		{**GOOD, "attitude": 0},
		{**GOOD, "attitude": 6},
		{**GOOD, "overall": "Great"},
		{**GOOD, "recommend": 11},
		{**GOOD, "recommend": "7.5"},
		{**GOOD, "response_speed": None},
		{**GOOD, "comment": "很" * 2001},
	],
)
def test_bad_answers_are_refused_with_a_clear_message_and_nothing_written(bad):
	with freeze_time(START, tick=True):
		ticket = confirmed_ticket()
	with freeze_time(START + timedelta(hours=25), tick=True):
		surveys.send_due()
		survey = survey_of(ticket)
		with pytest.raises(frappe.ValidationError):
			as_user(world.PORTAL_USER, api.answer_survey, ticket=ticket.name, **bad)
	assert survey.reload().status == "Sent" and not survey.overall


def test_only_the_tickets_customer_answers_signed_in_and_staff_cannot_forge_one():
	with freeze_time(START, tick=True):
		ticket = confirmed_ticket()
	with freeze_time(START + timedelta(hours=25), tick=True):
		surveys.send_due()
		with pytest.raises(frappe.PermissionError):
			as_user(world.PORTAL_USER_B, api.answer_survey, ticket=ticket.name, **LOW)
		with pytest.raises(frappe.PermissionError):
			as_user(world.AGENT, api.answer_survey, ticket=ticket.name, **GOOD)
	survey = survey_of(ticket)
	for user in (world.AGENT, world.MANAGER, "Administrator"):

		def forge():
			doc = frappe.get_doc("Service Survey", survey.name)
			doc.overall = "Satisfied"
			doc.save()

		with pytest.raises(frappe.PermissionError):
			as_user(user, forge)
	assert survey.reload().status == "Sent" and not survey.overall


def test_the_sending_job_reads_due_surveys_by_index():
	sql = surveys.due_query(START).get_sql()
	plan = frappe.db.sql(f"explain {sql}", as_dict=True)
	assert "status" in (plan[0].get("key") or ""), plan


def test_the_survey_page_through_the_link_over_http(live_server, api_url):
	"""The link a customer gets opens the form without a login; a used link shows the notice."""
	ticket = survey = None
	try:
		ticket = confirmed_ticket(subject="回访页面")
		frappe.db.set_value("Service Survey", survey_of(ticket).name, "send_after", START)
		surveys.send_due()
		survey = survey_of(ticket)
		token = sent_link(survey)
		frappe.db.commit()
		page = requests.get(
			f"{api_url}/survey", params={"token": token}, headers={"Host": frappe.local.site}, timeout=30
		)
		assert page.status_code == 200 and 'id="as-survey-form"' in page.text
		# the address carries the token: the page sends no Referer onwards
		assert page.headers.get("Referrer-Policy") == "no-referrer"
		answered = requests.post(
			f"{api_url}/api/method/aftersales_app.api.portal.answer_survey",
			data={"token": token, **GOOD},
			headers={"Accept": "application/json", "Host": frappe.local.site},
			timeout=30,
		)
		assert answered.status_code == 200, answered.text
		again = requests.get(
			f"{api_url}/survey", params={"token": token}, headers={"Host": frappe.local.site}, timeout=30
		)
		assert 'id="as-survey-form"' not in again.text and 'id="as-survey-invalid"' in again.text
		frappe.db.rollback()
		assert survey.reload().status == "Answered"
	finally:
		frappe.db.rollback()
		for name in frappe.get_all("Service Ticket", filters={"subject": "回访页面"}, pluck="name"):
			for survey_name in frappe.get_all(
				"Service Survey", filters={"service_ticket": name}, pluck="name"
			):
				frappe.db.delete("After-Sales Message", {"reference_name": survey_name})
				frappe.db.delete("Email Queue", {"reference_name": survey_name})
			frappe.db.delete("Service Survey", {"service_ticket": name})
			frappe.delete_doc("Service Ticket", name, force=True, ignore_permissions=True)
		frappe.db.commit()


def test_satisfaction_by_technician_with_nps():
	from aftersales_app.customer_care.report.service_satisfaction.service_satisfaction import execute

	answers = [
		{**GOOD, "recommend": 10},  # promoter
		{**GOOD, "recommend": 9},  # promoter
		{**GOOD, "overall": "Neutral", "recommend": 7},  # passive
		{**LOW, "recommend": 3},  # detractor, low: a complaint too
	]
	for values in answers:
		with freeze_time(START, tick=True):
			ticket = confirmed_ticket(serial_no=world.SERIAL_IN)
		with freeze_time(START + timedelta(hours=25), tick=True):
			surveys.send_due()
			as_user(world.PORTAL_USER, api.answer_survey, ticket=ticket.name, **values)
	columns, rows, _message, chart = execute(
		{"from_date": "2026-11-20", "to_date": "2026-11-22", "group_by": "Technician"}
	)
	row = next(r for r in rows if r.group_value == world.TECH)
	assert row.answers == 4
	assert row.nps == 25.0  # (2 promoters - 1 detractor) / 4
	assert row.satisfied_share == 50.0 and row.problem_solving == 3.5
	assert world.TECH in chart["data"]["labels"]
	by_type = execute({"from_date": "2026-11-20", "to_date": "2026-11-22", "group_by": "Ticket Type"})[1]
	assert sum(r.answers for r in by_type) >= 4
