"""The knowledge base on existing sites: Help Article's custom fields, the default category and the
search index of the articles the site already has."""

from aftersales_app.knowledge.setup import make_knowledge_base


def execute():
	make_knowledge_base()
