"""/knowledge/<name>: one published knowledge base article, for everyone (routed here by
website_route_rules). An internal article, a draft and a missing one are the same "not found"
page. Signed-in customers may say it solved their problem (aftersales_app.api.knowledge)."""

import frappe
from frappe import _

from aftersales_app.core.permissions import portal_customers
from aftersales_app.knowledge import articles as knowledge
from aftersales_app.portal import display, pages

no_cache = 1


def get_context(context):
	article = knowledge.public_article(frappe.form_dict.name)
	if not article:
		raise frappe.PageDoesNotExistError
	article.updated = display.when(article.modified)
	context.article = article
	context.can_count = bool(portal_customers(frappe.session.user))
	context.title = article.title
	context.show_sidebar = frappe.session.user != "Guest"
	context.parents = [{"route": "/knowledge", "title": _("Knowledge Base")}]
	context.messages = pages.js_messages()
