"""Whitelisted endpoints of the knowledge base (知识库, aftersales_app.knowledge.articles).

- `search_articles`: anyone, guests too (rate-limited per client address and for the site):
  published articles that are not internal, best first; the portal's search page and the
  suggestions of the new-request form.
- `count_solved`: a signed-in customer says an article solved their problem instead of filing a
  request; counted once per user and article, limited per user.
- `get_ticket_suggestions`, `make_article_from_ticket`: agents and managers on a ticket they may
  read; suggestions include internal articles.
"""

import frappe
from frappe import _

from aftersales_app.api import endpoint
from aftersales_app.core import guest_limits, roles
from aftersales_app.core.permissions import portal_customers
from aftersales_app.core.roles import only_for
from aftersales_app.core.text import trimmed
from aftersales_app.knowledge import articles as knowledge

# "this solved my problem" clicks one user may make (count, seconds)
SOLVED_PER_USER = (30, 3600)


def _ticket(name: str):
	"""The ticket if the session user may read it, refused as missing otherwise."""
	if not isinstance(name, str) or not name or not frappe.db.exists("Service Ticket", name):
		frappe.throw(
			_("Service Ticket {0} was not found").format(frappe.bold(str(name)[:40])),
			frappe.DoesNotExistError,
		)
	frappe.has_permission("Service Ticket", "read", doc=name, throw=True)
	return frappe.get_doc("Service Ticket", name)


@endpoint(allow_guest=True)
def search_articles(
	query: str,
	item_code: str | None = None,
	ticket_type: str | None = None,
	limit: int = 10,
	start: int = 0,
	suggest: int = 0,
) -> list[dict]:
	"""Published, non-internal articles matching `query` (Chinese words, English words, model
	numbers), best first, for anyone. `item_code` and `ticket_type` (the new-request form's product
	and type) raise articles about them; `suggest` keeps only those close to the best (the form's
	suggestions). Limited per client address and for the whole site."""
	query = trimmed(query)
	if not query:
		return []
	guest_limits.check_knowledge_search()
	found = knowledge.search(
		query,
		audience=knowledge.PUBLIC,
		limit=min(max(frappe.utils.cint(limit), 1), 20),
		start=start,
		item_code=item_code if isinstance(item_code, str) and item_code else None,
		ticket_type=ticket_type if isinstance(ticket_type, str) and ticket_type else None,
		min_share=knowledge.SUGGESTION_SHARE if frappe.utils.cint(suggest) else 0.0,
	)
	return [{k: row[k] for k in ("name", "title", "snippet", "route")} for row in found]


@endpoint(methods=["POST"])
def count_solved(article: str) -> dict:
	"""The signed-in customer says `article` solved their problem: the article counts one request
	avoided, once per user and article. Guests cannot count; customers only, limited per user."""
	customers = portal_customers(frappe.session.user)
	if not customers:
		frappe.throw(_("Only a customer's contact can do this"), frappe.PermissionError)
	guest_limits.check_rate("knowledge_solved", *SOLVED_PER_USER)
	counted = knowledge.count_avoided_request(
		article if isinstance(article, str) else "", frappe.session.user, customers[0]
	)
	return {
		"counted": int(counted),
		"message": _("Glad it helped! No request was filed: come back any time if the problem returns."),
	}


@endpoint()
@only_for(roles.STAFF, "Only customer service sees suggested articles")
def get_ticket_suggestions(ticket: str) -> list[dict]:
	"""Articles for a ticket the user may read (published and internal ones), best first: matched
	by the words of its subject and description, preferring its product, product group and type."""
	doc = _ticket(ticket)
	return [
		{k: row[k] for k in ("name", "title", "snippet", "internal", "score")}
		for row in knowledge.suggestions_for_ticket(doc)
	]


@endpoint(methods=["POST"])
@only_for(roles.STAFF, "Only customer service makes knowledge articles")
def make_article_from_ticket(ticket: str) -> dict:
	"""A draft knowledge article (not published, not internal) from a ticket's resolution, for an
	agent to edit and publish. One per ticket: a second call gives the first article back."""
	doc = _ticket(ticket)
	frappe.has_permission("Help Article", "create", throw=True)
	name, created = knowledge.make_article_from_ticket(doc)
	return {
		"name": name,
		"created": int(created),
		"message": _("Draft article {0} made from this ticket: edit it, then publish it").format(name)
		if created
		else _("This ticket already has article {0}: opening it").format(name),
	}
