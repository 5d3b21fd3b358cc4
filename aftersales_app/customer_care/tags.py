"""Customer tags kept by rules (客户标签): frequent repairs, at churn risk, high value.

The rules are rows of After-Sales Settings that the manager edits (tag, kind, threshold, window in
months). The tags are Frappe's own document tags on the Customer (`_user_tags` and Tag Link), so
ERPNext's Customer list filters by them in its sidebar and Report Builder reports on them. A
customer carries a rule's tag while the rule holds; a tag no rule names is a manual tag and the
rules never touch it.

Recomputation is per customer and set-based: a change (a ticket opened, a complaint closed, a low
survey answer, an invoice submitted or cancelled) re-evaluates the rules for its customer alone,
with one aggregate query per rule. Time only ever takes a customer out of a windowed rule, so the
daily job re-evaluates just the customers who carry such a tag; a change of the rules themselves
re-evaluates everyone in a background job, still one aggregate query per rule."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum
from frappe.utils import add_months, flt, getdate, nowdate

from aftersales_app.customer_care.surveys import COMPLAINT_TYPE, LOW_SCORE, SCORES, UNSATISFIED
from aftersales_app.tickets import status

FREQUENT_REPAIRS, CHURN_RISK, HIGH_VALUE = "Frequent Repairs", "Churn Risk", "High Value"
# (tag, rule, threshold, months) created once, in the site's language
DEFAULT_RULES = (
	("Frequent Repairs", FREQUENT_REPAIRS, 3, 12),
	("At Churn Risk", CHURN_RISK, LOW_SCORE, 12),
	("High Value", HIGH_VALUE, 100000, 12),
)


def rules() -> list:
	return frappe.get_cached_doc("After-Sales Settings").customer_tag_rules


def validate_rules(settings):
	"""Thresholds that mean something; the tags exist as Tag records."""
	for row in settings.customer_tag_rules:
		if row.rule in (FREQUENT_REPAIRS, HIGH_VALUE) and flt(row.threshold) <= 0:
			frappe.throw(
				_("Row {0}: a {1} rule needs a threshold above zero").format(
					row.idx, _(row.rule, context="After-Sales Customer Tag Rule")
				)
			)
		if row.rule == CHURN_RISK and not 0 <= flt(row.threshold) < 5:
			frappe.throw(_("Row {0}: a churn risk threshold is a survey score from 0 to 4").format(row.idx))


def rules_changed(settings) -> bool:
	before = settings.get_doc_before_save()
	key = lambda doc: [  # noqa: E731
		(r.tag, r.rule, flt(r.threshold), r.months, r.ticket_type or "") for r in doc.customer_tag_rules
	]
	return before is None or key(before) != key(settings)


def on_rules_change(settings):
	"""Tags a rule no longer names come off everyone who has them; then all customers are
	re-evaluated (in the background: one aggregate query per rule)."""
	before = settings.get_doc_before_save()
	gone = {r.tag for r in (before.customer_tag_rules if before else [])} - {
		r.tag for r in settings.customer_tag_rules
	}
	for tag in gone:
		for customer in tagged(tag):
			set_tag(customer, tag, False)
	frappe.enqueue(
		"aftersales_app.customer_care.tags.refresh",
		queue="long",
		job_id="aftersales_customer_tags_refresh_all",
		deduplicate=True,
		enqueue_after_commit=True,
	)


# --- what each rule holds for ---------------------------------------------------------------------


def window_start(rule, today=None):
	return add_months(getdate(today or nowdate()), -rule.months) if rule.months else None


def qualifying(rule, customers: list[str] | None = None, today=None) -> set[str]:
	"""Customers (of `customers`, or all) for whom `rule` holds today."""
	since = window_start(rule, today)
	if rule.rule == FREQUENT_REPAIRS:
		ticket = frappe.qb.DocType("Service Ticket")
		query = (
			frappe.qb.from_(ticket)
			.select(ticket.customer)
			.groupby(ticket.customer)
			.having(Count("*") >= flt(rule.threshold))
		)
		query = query.where(
			ticket.ticket_type == rule.ticket_type
			if rule.ticket_type
			else ticket.ticket_type != COMPLAINT_TYPE
		)
		if since:
			query = query.where(ticket.opened_on >= since)
		return _run(query, ticket.customer, customers)

	if rule.rule == HIGH_VALUE:
		invoice = frappe.qb.DocType("Sales Invoice")
		query = (
			frappe.qb.from_(invoice)
			.select(invoice.customer)
			.where(invoice.docstatus == 1)
			.groupby(invoice.customer)
			.having(Sum(invoice.base_grand_total) >= flt(rule.threshold))
		)
		if since:
			query = query.where(invoice.posting_date >= since)
		return _run(query, invoice.customer, customers)

	if rule.rule == CHURN_RISK:
		low = flt(rule.threshold) if rule.threshold else LOW_SCORE
		survey = frappe.qb.DocType("Service Survey")
		condition = survey.overall == UNSATISFIED
		for field in SCORES:
			condition = condition | (survey[field] <= low)
		query = (
			frappe.qb.from_(survey)
			.select(survey.customer)
			.distinct()
			.where((survey.status == "Answered") & condition)
		)
		if since:
			query = query.where(survey.answered_on >= since)
		ticket = frappe.qb.DocType("Service Ticket")
		complaints = (
			frappe.qb.from_(ticket)
			.select(ticket.customer)
			.distinct()
			.where((ticket.ticket_type == COMPLAINT_TYPE) & ticket.status.notin(status.FINAL_CATEGORIES))
		)
		return _run(query, survey.customer, customers) | _run(complaints, ticket.customer, customers)
	return set()


def _run(query, customer_field, customers) -> set[str]:
	if customers is not None:
		if not customers:
			return set()
		query = query.where(customer_field.isin(list(customers)))
	return {name for name in query.run(pluck=True) if name}


# --- the tags themselves ---------------------------------------------------------------------------


def tagged(tag: str, customers: list[str] | None = None) -> set[str]:
	link = frappe.qb.DocType("Tag Link")
	query = (
		frappe.qb.from_(link)
		.select(link.document_name)
		.where((link.document_type == "Customer") & (link.tag == tag))
	)
	return _run(query, link.document_name, customers)


def set_tag(customer: str, tag: str, present: bool):
	"""Put on or take off one tag the way Frappe's tag sidebar stores it (`_user_tags` and a Tag
	Link), without the sidebar's check that the current user may edit the customer: rules run for
	whoever caused the change, a guest answering a survey included."""
	tags = [t for t in (frappe.db.get_value("Customer", customer, "_user_tags") or "").split(",") if t]
	if present == (tag in tags):
		return
	tags = [*tags, tag] if present else [t for t in tags if t != tag]
	frappe.db.set_value(
		"Customer", customer, "_user_tags", ("," + ",".join(tags)) if tags else "", update_modified=False
	)
	if present:
		if not frappe.db.exists("Tag", tag):
			frappe.get_doc({"doctype": "Tag", "name": tag}).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Tag Link",
				"document_type": "Customer",
				"document_name": customer,
				"title": frappe.db.get_value("Customer", customer, "customer_name") or customer,
				"tag": tag,
			}
		).insert(ignore_permissions=True)
	else:
		frappe.db.delete("Tag Link", {"document_type": "Customer", "document_name": customer, "tag": tag})


def refresh(customers: list[str] | None = None, today=None, kinds: set[str] | None = None) -> set[str]:
	"""Re-evaluate the rules for `customers` (all customers when None) and put on or take off their
	tags. `kinds` narrows it to the rules a change can affect (and the rules sharing a tag with
	them). Returns the customers whose tags changed."""
	if customers is not None:
		customers = sorted({c for c in customers if c})
		if not customers:
			return set()
	affected = {r.tag for r in rules() if kinds is None or r.rule in kinds}
	wanted: dict[str, set[str]] = {}
	for rule in rules():
		if rule.tag in affected:
			wanted.setdefault(rule.tag, set()).update(qualifying(rule, customers, today))
	current = tags_now(customers) if customers is not None and len(customers) <= 50 else None
	changed = set()
	for tag, should in wanted.items():
		have = (
			{c for c, tags in current.items() if tag in tags}
			if current is not None
			else tagged(tag, customers)
		)
		for customer in should - have:
			set_tag(customer, tag, True)
		for customer in have - should:
			set_tag(customer, tag, False)
		changed |= should ^ have
	return changed


def tags_now(customers: list[str]) -> dict[str, set[str]]:
	"""customer → their tags, for a few customers in one read (`_user_tags`, kept with Tag Link)."""
	customer = frappe.qb.DocType("Customer")
	rows = (
		frappe.qb.from_(customer)
		.select(customer.name, customer._user_tags)
		.where(customer.name.isin(customers))
		.run()
	)
	return {name: {t for t in (tags or "").split(",") if t} for name, tags in rows}


def refresh_windows(today=None):
	"""Scheduler job (daily): customers carrying the tag of a rule with a time window may have
	dropped out of it; nobody else can have changed by time alone."""
	carrying = set()
	for rule in rules():
		if rule.months:
			carrying |= tagged(rule.tag)
	if carrying:
		refresh(sorted(carrying), today)


# --- what touches a customer -----------------------------------------------------------------------


def on_ticket_insert(doc, method=None):
	"""A new ticket counts towards frequent repairs; a new complaint makes a churn risk."""
	if rules():
		kinds = {FREQUENT_REPAIRS, CHURN_RISK} if doc.ticket_type == COMPLAINT_TYPE else {FREQUENT_REPAIRS}
		refresh([doc.customer], kinds=kinds)


def on_ticket_update(doc, method=None):
	"""A complaint that closes (or reopens) changes its customer's churn risk."""
	if (
		doc.ticket_type == COMPLAINT_TYPE
		and not doc.flags.in_insert
		and doc.has_value_changed("status")
		and rules()
	):
		refresh([doc.customer], kinds={CHURN_RISK})


def on_invoice_change(doc, method=None):
	if any(rule.rule == HIGH_VALUE for rule in rules()):
		refresh([doc.customer], kinds={HIGH_VALUE})


def on_survey_update(doc, method=None):
	"""An answer (low or not: the manager's churn threshold may differ from the complaint's)."""
	if doc.status == "Answered" and doc.has_value_changed("status") and rules():
		refresh([doc.customer], kinds={CHURN_RISK})
