"""/knowledge: the knowledge base (知识库) for everyone, guests too: search published articles
(Chinese words, English words, model numbers); before a search, the articles that helped most.
Internal articles and drafts never appear (aftersales_app.knowledge.articles.audience_filter). Searches are
limited per client address and for the site, as the search endpoint is."""

import frappe
from frappe import _

from aftersales_app.core import guest_limits
from aftersales_app.core.permissions import portal_customers
from aftersales_app.core.text import trimmed
from aftersales_app.knowledge import articles as knowledge
from aftersales_app.portal import pages

no_cache = 1


def get_context(context):
	query = trimmed(frappe.form_dict.q if isinstance(frappe.form_dict.q, str) else "")[:200]
	context.query = query
	context.articles, context.limited = [], False
	if query:
		try:
			guest_limits.check_knowledge_search()
			context.articles = knowledge.search(query, audience=knowledge.PUBLIC, limit=20)
		except frappe.TooManyRequestsError:
			frappe.clear_messages()
			context.limited = True
	else:
		context.articles = knowledge.popular_articles(10)
	context.can_submit = bool(portal_customers(frappe.session.user))
	context.title = _("Knowledge Base")
	context.no_breadcrumbs = True
	context.show_sidebar = frappe.session.user != "Guest"
	context.messages = pages.js_messages()
