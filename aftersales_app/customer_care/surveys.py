"""Satisfaction surveys (满意度回访): made when the customer confirms a resolution, sent after After-Sales
Settings' delay through the customer's channel with a one-time link, answered on the portal (signed
in, or through the link without a login), and a low answer opens a complaint ticket for the
After-Sales Manager.

The link carries a random token; the survey keeps only its SHA-256, so the database (and anyone
reading it) cannot answer for the customer. A used, expired or unknown token reveals nothing: the
page says the same for each. One answer per survey: the row is locked and its status checked."""

import hashlib
import secrets

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, get_url, now_datetime

from aftersales_app.core import jobs, locks, roles
from aftersales_app.core.app_fields import app_action, save_as_app
from aftersales_app.core.text import check_length, clean_plain, text_to_html
from aftersales_app.notifications import outbox
from aftersales_app.notifications.notify import notify
from aftersales_app.tickets import agents
from aftersales_app.tickets.status import AWAITING_CUSTOMER, CONFIRM_CATEGORIES

PENDING, SENT, ANSWERED, EXPIRED = "Pending", "Sent", "Answered", "Expired"
SATISFIED, NEUTRAL, UNSATISFIED = "Satisfied", "Neutral", "Unsatisfied"
SCORES = ("response_speed", "problem_solving", "attitude")
LOW_SCORE = 2
COMPLAINT_TYPE = "Service Complaint"
DUE_BATCH = 500


def settings():
	return frappe.get_cached_doc("After-Sales Settings")


def token_hash(token: str) -> str:
	return hashlib.sha256(token.encode()).hexdigest()


# --- made on confirmation, sent after the delay ---------------------------------------------------


def on_ticket_update(ticket, method=None):
	"""Service Ticket on_update: the customer confirmed the resolution: their satisfaction
	survey, sent later."""
	log = ticket.flags.state_log
	if log and log.from_category == AWAITING_CUSTOMER and log.to_category in CONFIRM_CATEGORIES:
		make_survey(ticket)


def on_ticket_trash(ticket, method=None):
	"""Service Ticket on_trash: its surveys, and the messages sent about them, go with it."""
	surveys = frappe.get_all("Service Survey", filters={"service_ticket": ticket.name}, pluck="name")
	if surveys:
		outbox.forget("Service Survey", surveys)
		frappe.db.delete("Service Survey", {"name": ("in", surveys)})


def make_survey(ticket):
	"""The ticket's survey for this resolution (none for a complaint, nor twice per resolution)."""
	if ticket.ticket_type == COMPLAINT_TYPE:
		return None
	cycle = cint(ticket.reopen_count)
	if frappe.db.exists("Service Survey", {"service_ticket": ticket.name, "cycle": cycle}):
		return None
	survey = frappe.get_doc(
		{
			"doctype": "Service Survey",
			"service_ticket": ticket.name,
			"technician": ticket.assigned_technician,
			"cycle": cycle,
			"status": PENDING,
			"send_after": add_to_date(now_datetime(), hours=cint(settings().survey_delay_hours)),
		}
	)
	with app_action(survey):
		survey.insert(ignore_permissions=True)
	return survey


def due_query(now=None):
	survey = frappe.qb.DocType("Service Survey")
	return (
		frappe.qb.from_(survey)
		.select(survey.name)
		.where((survey.status == PENDING) & (survey.send_after <= (now or now_datetime())))
		.orderby(survey.send_after)
		.limit(DUE_BATCH)
	)


def expired_query(now=None):
	survey = frappe.qb.DocType("Service Survey")
	return (
		frappe.qb.from_(survey)
		.select(survey.name)
		.where((survey.status == SENT) & (survey.expires_on <= (now or now_datetime())))
		.limit(DUE_BATCH)
	)


def send_due():
	"""Scheduler job: send the surveys whose delay has passed (each once: the row is locked and
	its status checked), and close those whose link expired."""
	jobs.each(due_query().run(pluck=True), send, "Service Survey {0} not sent")
	for name in expired_query().run(pluck=True):
		frappe.db.set_value("Service Survey", name, "status", EXPIRED, update_modified=False)
	frappe.db.commit()  # the expired ones


def send(name: str):
	locks.lock("Service Survey", name)
	survey = frappe.get_doc("Service Survey", name)
	if survey.status != PENDING:
		return survey
	# hex: a plain-text mail part escapes "_" in a link (`\_`), which would break the token there
	token = secrets.token_hex(24)
	now = now_datetime()
	survey.update(
		{
			"status": SENT,
			"sent_on": now,
			"expires_on": add_to_date(now, days=cint(settings().survey_valid_days) or 14),
			"token_hash": token_hash(token),
		}
	)
	survey = save_as_app(survey, ignore_permissions=True)
	notify(survey, "survey_due", survey.name, link=f"{get_url()}/survey?token={token}")
	return survey


# --- answered ----------------------------------------------------------------------------------


def by_token(token) -> str | None:
	"""The open survey of a link, or None for a used, expired or unknown one (said alike)."""
	if not token or not isinstance(token, str) or len(token) > 200:
		return None
	row = frappe.db.get_value(
		"Service Survey", {"token_hash": token_hash(token)}, ["name", "status", "expires_on"], as_dict=True
	)
	if not row or row.status != SENT or (row.expires_on and row.expires_on <= now_datetime()):
		return None
	return row.name


def open_survey_of(ticket: str) -> str | None:
	"""The ticket's survey waiting for the customer's answer, if any."""
	return frappe.db.get_value(
		"Service Survey",
		{"service_ticket": ticket, "status": SENT, "expires_on": (">", now_datetime())},
		"name",
	)


def clean_answers(values: dict) -> dict:
	"""The answers, checked: each score 1-5, overall one of three, recommend 0-10; the comment as
	plain text. A bad value is refused with a translated message."""
	answers = {}
	for field in SCORES:
		score = cint(values.get(field))
		if not 1 <= score <= 5:
			frappe.throw(_("Give every question a score from 1 to 5"), frappe.ValidationError)
		answers[field] = score
	if values.get("overall") not in (SATISFIED, NEUTRAL, UNSATISFIED):
		frappe.throw(_("Say whether you are satisfied overall"), frappe.ValidationError)
	answers["overall"] = values["overall"]
	recommend = values.get("recommend")
	if (
		recommend in (None, "")
		or not 0 <= cint(recommend) <= 10
		or str(recommend).strip() not in {str(n) for n in range(11)}
	):
		frappe.throw(_("Say from 0 to 10 how likely you are to recommend us"), frappe.ValidationError)
	answers["recommend"] = cint(recommend)
	answers["comment"] = check_length(_("Comment"), clean_plain(values.get("comment") or ""), 2000)
	return answers


def answer(name: str, values: dict, by: str):
	"""Record the answer once; a low one opens a complaint."""
	answers = clean_answers(values)
	locks.lock("Service Survey", name)
	survey = frappe.get_doc("Service Survey", name)
	if survey.status != SENT or (survey.expires_on and survey.expires_on <= now_datetime()):
		frappe.throw(_("This survey can no longer be answered"), frappe.ValidationError)
	survey.update({**answers, "status": ANSWERED, "answered_on": now_datetime(), "answered_by": by})
	survey = save_as_app(survey, ignore_permissions=True)
	if is_low(survey):
		complaint = open_complaint(survey)
		if complaint:
			survey.db_set("complaint_ticket", complaint.name, update_modified=False)
	return survey


def is_low(survey) -> bool:
	return survey.overall == UNSATISFIED or any(cint(survey.get(f)) <= LOW_SCORE for f in SCORES)


def open_complaint(survey):
	"""A Service Complaint ticket for the After-Sales Manager, linked to the original ticket."""
	original = frappe.get_doc("Service Ticket", survey.service_ticket)
	managers = roles.users_with({roles.MANAGER})
	lines = [
		_("Satisfaction survey {0} of ticket {1}").format(survey.name, original.name),
		_("Response speed {0}, problem solving {1}, attitude {2}; overall: {3}; would recommend: {4}").format(
			survey.response_speed,
			survey.problem_solving,
			survey.attitude,
			_(survey.overall, context="Service Survey"),
			survey.recommend,
		),
	]
	if survey.comment:
		lines.append(survey.comment)
	if not frappe.db.exists("Service Ticket Type", COMPLAINT_TYPE):
		frappe.log_error(title=f"No {COMPLAINT_TYPE} ticket type: no complaint for survey {survey.name}")
		return None
	complaint = frappe.get_doc(
		{
			"doctype": "Service Ticket",
			"subject": _("Unsatisfied customer: {0}").format(original.subject)[:140],
			"customer": original.customer,
			"contact": original.contact,
			"serial_no": original.serial_no,
			"item_code": original.item_code,
			"ticket_type": COMPLAINT_TYPE,
			"channel": "Web Portal",
			"description": text_to_html("\n\n".join(lines)),
			"related_ticket": original.name,
			"responsible_agent": managers[0] if managers else agents.next_agent(),
		}
	)
	with app_action(complaint):
		complaint.insert(ignore_permissions=True)
	notify(complaint, "complaint_opened", survey.name, recipients=managers, survey=survey.name)
	return complaint
