"""Customer tags kept by rules (客户标签) on a known set of customers, with frozen time: frequent
repairs, churn risk (a low survey, an open complaint), high value; manual tags left alone; a change
re-evaluates its own customer only; the daily job only the customers who carry a windowed tag; the
tags are Frappe's, so the Customer list filters by them."""

from datetime import datetime

import pytest
from freezegun import freeze_time

import frappe
from frappe.desk.doctype.tag.tag import DocTags

from aftersales_app.customer_care import tags as customer_tags
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, make_customer, make_sales_invoice, make_ticket
from aftersales_app.tickets import status

pytestmark = pytest.mark.usefixtures("jobs_do_not_commit")

FREQUENT, CHURN, VALUABLE = "测试高频报修", "测试流失风险", "测试高价值"


@pytest.fixture
def rules():
	"""The manager's rules for these tests: ≥ 3 tickets in 12 months, a score ≤ 2 or unsatisfied
	in 12 months or an open complaint, ≥ 10 000 of sales in 12 months."""
	settings = frappe.get_single("After-Sales Settings")
	settings.customer_tag_rules = []
	for tag, rule, threshold in (
		(FREQUENT, customer_tags.FREQUENT_REPAIRS, 3),
		(CHURN, customer_tags.CHURN_RISK, 2),
		(VALUABLE, customer_tags.HIGH_VALUE, 10000),
	):
		if not frappe.db.exists("Tag", tag):
			frappe.get_doc({"doctype": "Tag", "name": tag}).insert(ignore_permissions=True)
		settings.append(
			"customer_tag_rules", {"tag": tag, "rule": rule, "threshold": threshold, "months": 12}
		)
	settings.save()
	return settings


def tags_of(customer: str) -> set[str]:
	return {t for t in (frappe.db.get_value("Customer", customer, "_user_tags") or "").split(",") if t}


def tickets(customer: str, *days: str, **values):
	for day in days:
		with freeze_time(datetime.fromisoformat(f"{day} 02:00"), tick=True):
			make_ticket(customer=customer, **values)


def answered_survey(customer: str, **scores):
	"""An answered survey row of one of the customer's tickets (the survey flow itself is
	test_surveys.py's)."""
	ticket = make_ticket(customer=customer)
	survey = frappe.get_doc(
		{
			"doctype": "Service Survey",
			"service_ticket": ticket.name,
			"customer": customer,
			"status": "Sent",
		}
	)
	survey.flags.ignore_permissions = True
	from aftersales_app.core.app_fields import app_action

	with app_action(survey):
		survey.insert()
	survey.update(
		{
			"response_speed": 4,
			"problem_solving": 4,
			"attitude": 4,
			"overall": "Satisfied",
			"recommend": 8,
			**scores,
			"status": "Answered",
			"answered_on": frappe.utils.now_datetime(),
		}
	)
	with app_action(survey):
		survey.save()
	return survey


def test_frequent_repairs_from_the_third_ticket_in_twelve_months_and_off_when_the_window_passes(rules):
	regular = make_customer("标签客户·常修")
	tickets(regular, "2026-01-05", "2026-03-10")
	assert FREQUENT not in tags_of(regular)
	tickets(regular, "2026-06-20")
	assert FREQUENT in tags_of(regular)
	# complaints are not repairs
	occasional = make_customer("标签客户·偶修")
	tickets(occasional, "2026-02-01", "2026-02-02")
	tickets(occasional, "2026-02-03", ticket_type="Service Complaint")
	assert FREQUENT not in tags_of(occasional)
	# a year after the first ticket only two are left in the window: the daily job takes it off
	customer_tags.refresh_windows("2027-01-04")
	assert FREQUENT in tags_of(regular)
	customer_tags.refresh_windows("2027-01-06")
	assert FREQUENT not in tags_of(regular)


def test_churn_risk_from_a_low_survey_or_an_open_complaint(rules):
	unhappy = make_customer("标签客户·不满")
	answered_survey(unhappy, attitude=2)
	assert CHURN in tags_of(unhappy)
	lukewarm = make_customer("标签客户·一般")
	answered_survey(lukewarm, overall="Neutral", attitude=3)
	assert CHURN not in tags_of(lukewarm)
	unsatisfied = make_customer("标签客户·不满意")
	answered_survey(unsatisfied, overall="Unsatisfied")
	assert CHURN in tags_of(unsatisfied)

	complaining = make_customer("标签客户·投诉")
	complaint = make_ticket(customer=complaining, ticket_type="Service Complaint")
	assert CHURN in tags_of(complaining)
	# the complaint ends through a workflow action (a save): the risk goes with it
	status.move_to_category(complaint, status.CANCELLED, any_role=True)
	assert CHURN not in tags_of(complaining)


def test_high_value_from_sales_and_off_when_the_invoice_is_cancelled(rules):
	buyer = make_customer("标签客户·大单")
	small = make_sales_invoice(buyer, world.PRODUCT)  # 3 000
	assert VALUABLE not in tags_of(buyer)
	invoices = [make_sales_invoice(buyer, world.PRODUCT) for _ in range(3)]  # 12 000 in all
	assert VALUABLE in tags_of(buyer)
	invoices[0].cancel()
	assert VALUABLE not in tags_of(buyer)
	assert small.docstatus == 1


def test_a_change_re_evaluates_its_own_customer_only_and_manual_tags_stay(rules, monkeypatch):
	mine = make_customer("标签客户·甲")
	bystander = make_customer("标签客户·乙")
	tickets(bystander, "2026-04-01", "2026-04-02", "2026-04-03")
	DocTags("Customer").add(mine, "老客户")  # a manual tag, from the form's sidebar
	seen = []
	original = customer_tags.qualifying
	monkeypatch.setattr(
		customer_tags,
		"qualifying",
		lambda rule, customers=None, today=None: seen.append(customers) or original(rule, customers, today),
	)
	tickets(mine, "2026-05-01", "2026-05-02", "2026-05-03")
	make_sales_invoice(mine, world.PRODUCT)
	assert seen and all(customers == [mine] for customers in seen), seen
	assert tags_of(mine) == {"老客户", FREQUENT}
	# the daily job looks only at customers carrying a windowed tag
	seen.clear()
	customer_tags.refresh_windows("2026-06-01")
	carrying = customer_tags.tagged(FREQUENT) | customer_tags.tagged(CHURN) | customer_tags.tagged(VALUABLE)
	assert seen and all(set(customers) <= carrying for customers in seen)
	assert mine in seen[0] and bystander in seen[0]
	assert tags_of(mine) == {"老客户", FREQUENT}


def test_changed_rules_re_evaluate_everyone_and_a_dropped_rule_takes_its_tag_off(rules):
	many = make_customer("标签客户·规则")
	tickets(many, "2026-07-01", "2026-07-02")
	assert FREQUENT not in tags_of(many)
	rules.customer_tag_rules[0].threshold = 2
	rules.save()
	customer_tags.refresh()  # the background job the save enqueued
	assert FREQUENT in tags_of(many)
	rules.customer_tag_rules = [r for r in rules.customer_tag_rules if r.tag != FREQUENT]
	rules.save()
	assert FREQUENT not in tags_of(many)
	assert not customer_tags.tagged(FREQUENT)


def test_bad_rules_are_refused_with_nothing_saved(rules):
	settings = frappe.get_single("After-Sales Settings")
	settings.customer_tag_rules[0].threshold = 0
	with pytest.raises(frappe.ValidationError, match="threshold|阈值"):
		settings.save()
	settings.reload()
	assert settings.customer_tag_rules[0].threshold == 3


def test_the_customer_list_filters_by_rule_tags_as_an_agent(rules):
	regular = make_customer("标签客户·筛选")
	tickets(regular, "2026-08-01", "2026-08-02", "2026-08-03")
	found = as_user(
		world.AGENT,
		frappe.get_list,
		"Customer",
		filters={"_user_tags": ("like", f"%{FREQUENT}%")},
		pluck="name",
	)
	assert regular in found
	assert frappe.db.exists("Tag Link", {"document_name": regular, "tag": FREQUENT})


def test_a_guest_answering_through_the_link_still_moves_the_tags(rules):
	"""The rules run for whoever caused the change: here a guest, who may not edit customers."""
	from aftersales_app.api import portal as api
	from aftersales_app.customer_care import surveys
	from aftersales_app.tests.test_surveys import LOW, START, confirmed_ticket, sent_link, survey_of

	assert CHURN not in tags_of(world.CUSTOMER)
	with freeze_time(START, tick=True):
		ticket = confirmed_ticket()
	with freeze_time(START + frappe.utils.datetime.timedelta(hours=25), tick=True):
		surveys.send_due()
		as_user("Guest", api.answer_survey, token=sent_link(survey_of(ticket)), **LOW)
	assert CHURN in tags_of(world.CUSTOMER)
