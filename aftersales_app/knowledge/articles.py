"""The knowledge base (知识库): Frappe's own Help Article, extended with custom fields
(aftersales_app.knowledge.setup), searchable in Chinese.

MariaDB has no ngram parser (MySQL's only) and InnoDB FULLTEXT drops words shorter than
`innodb_ft_min_token_size` (3), so a two-character Chinese word such as 漏水 would never match.
The app keeps its own inverted index instead, one row per (article, term) in *Knowledge Term*:

- Chinese (and Japanese / Korean) text becomes overlapping character bigrams (空调漏水 → 空调,
  调漏, 漏水), plus single characters at a low weight, so a one-character query still finds
  something; Latin letters and digits become lower-cased words, a model number both whole and in
  its parts (KFR-35GW → kfr-35gw, kfr, 35gw, kfr35gw).
- A term's weight saturates with its count (three mentions are not three times one), and a term
  of the title weighs twice the body's.
- A search tokenizes the query the same way, reads the postings of its terms in one grouped query
  and scores each article by the sum of weight times idf, the idf from each term's document frequency (one more
  grouped query), so a rare word counts more than a common one. The frequencies are counted over
  the articles the searcher may find, so nothing of an internal or draft article shows through.

Who sees what is decided here, in `audience_filter`, on every search: the portal, guests and
customers see published articles that are not internal; staff (agents, managers) also see internal
ones. Drafts (neither published nor internal) are seen by nobody through search. An internal
article is never published (`on_article_validate`), so Frappe's own pages of Help Article, which
show published articles only, never show it either.
"""

import math
import re
import unicodedata
from collections import defaultdict

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Count, Max, Sum
from frappe.utils import cint, escape_html, now_datetime
from frappe.utils.nestedset import get_ancestors_of

from aftersales_app.core.text import as_text, clean_html, clean_plain, site_language
from aftersales_app.knowledge.doctype.knowledge_term.knowledge_term import SEARCH_INDEX

ARTICLE = "Help Article"
TERM = "Knowledge Term"
AVOIDED = "Avoided Service Request"

PUBLIC, STAFF = "public", "staff"

# weights: the title counts twice the body; a single Chinese character a fifth of a word
TITLE_WEIGHT, BODY_WEIGHT, CHARACTER_WEIGHT = 2.0, 1.0, 0.2
# BM25's saturation: the weight of a term counted n times is n (k + 1) / (n + k)
SATURATION = 1.2
# ranking bonuses of ticket suggestions (the score is multiplied by 1 + the bonuses that apply)
ITEM_BONUS, ITEM_GROUP_BONUS, TICKET_TYPE_BONUS = 1.0, 0.5, 0.3

# suggestions keep the articles scoring at least this share of the best one
SUGGESTION_SHARE = 0.3

MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 80
MAX_TERM_LENGTH = 64
MAX_COMPOUND_PARTS = 6

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
TOKENS = re.compile(rf"[{CJK}]+|[a-z0-9]+(?:[-_./+][a-z0-9]+)*")
STOPWORDS = frozenset(
	"a an the and or of to in on for is are was were be been it its this that with as at by from how "
	"what why when where do does did can could not no i my me you your we our if then so but there "
	"has have had will would should".split()
)


# --- tokenizer -----------------------------------------------------------------------------------


def _normalise(text: str) -> str:
	"""Full-width letters and digits as half-width (a full-width KFR-35 reads kfr-35), case folded, Latin
	accents dropped (café → cafe): the index's collation compares them alike too."""
	text = unicodedata.normalize("NFKC", text or "").casefold()
	if text.isascii():
		return text
	decomposed = unicodedata.normalize("NFD", text)
	return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _is_cjk(run: str) -> bool:
	return bool(re.match(rf"[{CJK}]", run))


def _stem(word: str) -> str:
	"""English plurals to their singular, enough for 'leaks' to find 'leak'; words with digits
	(model numbers, error codes) are left alone."""
	if not word.isalpha() or len(word) <= 3:
		return word
	if word.endswith("ies") and len(word) > 4:
		return word[:-3] + "y"
	if word.endswith(("ches", "shes", "sses", "xes")):
		return word[:-2]
	if word.endswith("s") and not word.endswith(("ss", "us", "is")):
		return word[:-1]
	return word


def _words(run: str) -> list[str]:
	"""A Latin / digit run as terms: the word itself and, for a compound like a model number, its
	parts and every stretch of neighbouring parts, as written and joined (KFR-35GW/BP3 gives
	kfr-35gw/bp3, kfr-35gw, 35gw/bp3 and kfr35gwbp3, kfr35gw, 35gwbp3, and the parts), so that a
	customer who types the model with or without its dashes, or only its first part, finds it."""
	out = []
	spans = [m.span() for m in re.finditer(r"[a-z0-9]+", run)][:MAX_COMPOUND_PARTS]
	parts = [run[a:b] for a, b in spans]
	for first in range(len(parts)):
		for last in range(first + 1, len(parts)):
			out.append(run[spans[first][0] : spans[last][1]])
			out.append("".join(parts[first : last + 1]))
	for part in parts:
		if part in STOPWORDS or (len(part) < 2 and not part.isdigit()):
			continue
		out.append(_stem(part))
	return [t[:MAX_TERM_LENGTH] for t in out]


def terms_of(text: str, for_query: bool = False) -> list[tuple[str, float]]:
	"""The terms of `text`, each with its weight factor, in order (repeated as they repeat).

	Indexed text gives Chinese bigrams (1.0) and single characters (CHARACTER_WEIGHT). A query gives
	bigrams only where it has them, and single characters for a lone character: the bigrams already
	say what its characters would, and a common character such as 的 would match every article."""
	out = []
	for run in TOKENS.findall(_normalise(text)):
		if _is_cjk(run):
			if len(run) == 1:
				out.append((run, CHARACTER_WEIGHT if not for_query else 1.0))
				continue
			out.extend((run[i : i + 2], 1.0) for i in range(len(run) - 1))
			if not for_query:
				out.extend((char, CHARACTER_WEIGHT) for char in run)
		else:
			out.extend((word, 1.0) for word in _words(run))
	return out


def query_terms(text: str) -> list[str]:
	"""The distinct terms of a query, in the order they come, at most MAX_QUERY_TERMS."""
	seen = dict.fromkeys(term for term, _weight in terms_of((text or "")[:MAX_QUERY_CHARS], True))
	return list(seen)[:MAX_QUERY_TERMS]


def _saturate(count: float) -> float:
	return count * (SATURATION + 1) / (count + SATURATION) if count else 0.0


def plain_text(html: str | None) -> str:
	"""The text of a Text Editor value, tags and entities gone."""
	if not html:
		return ""
	from bs4 import BeautifulSoup

	return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


def article_terms(article) -> dict[str, float]:
	"""Each term of an article with its weight: the saturated count in the titles (Chinese and
	English) times TITLE_WEIGHT plus the saturated count in the body (both contents, and the
	product's code and name)."""
	counts = {"title": defaultdict(float), "body": defaultdict(float)}
	titles = " ".join(as_text(article.get(f) or "") for f in ("title", "aftersales_title_en"))
	body = " ".join(
		[
			plain_text(article.get("content")),
			plain_text(article.get("aftersales_content_en")),
			article.get("aftersales_item") or "",
			(frappe.db.get_value("Item", article.aftersales_item, "item_name") or "")
			if article.get("aftersales_item")
			else "",
		]
	)
	for part, text in (("title", titles), ("body", body)):
		for term, factor in terms_of(text):
			counts[part][term] += factor
	weights = {}
	for term in set(counts["title"]) | set(counts["body"]):
		weight = TITLE_WEIGHT * _saturate(counts["title"].get(term, 0)) + BODY_WEIGHT * _saturate(
			counts["body"].get(term, 0)
		)
		weights[term] = round(weight, 4)
	return weights


# --- the index -----------------------------------------------------------------------------------


def reindex(article):
	"""Replace the index rows of one article (called on every save of a Help Article)."""
	term = DocType(TERM)
	frappe.qb.from_(term).delete().where(term.article == article.name).run()
	weights = article_terms(article)
	if weights:
		frappe.db.bulk_insert(
			TERM,
			["name", "article", "term", "weight"],
			[(frappe.generate_hash(length=20), article.name, t, w) for t, w in weights.items()],
		)


def reindex_all() -> int:
	"""Rebuild the whole index (patches; `bench execute aftersales_app.knowledge.articles.reindex_all`)."""
	term = DocType(TERM)
	frappe.qb.from_(term).delete().run()
	names = frappe.get_all(ARTICLE, pluck="name", order_by="creation asc")
	for name in names:
		reindex(frappe.get_doc(ARTICLE, name))
	return len(names)


def remove_from_index(name: str):
	term = DocType(TERM)
	frappe.qb.from_(term).delete().where(term.article == name).run()


# --- document events of Help Article (hooks.py) -------------------------------------------------

# fields of Help Article that only the app's flows write
APP_FIELDS = ("aftersales_requests_avoided", "aftersales_source_ticket")


def on_article_autoname(doc, method=None):
	"""Help Article is named after its title (Frappe's WebsiteGenerator): a second article with the
	same title, common in a knowledge base (空调漏水 for two models, or a ticket's subject made into
	an article), gets a numbered name instead of a duplicate-name error."""
	if not doc.name or not frappe.db.exists(ARTICLE, doc.name):
		return
	base, number = doc.name[:130], 2
	while frappe.db.exists(ARTICLE, f"{base}-{number}"):
		number += 1
	doc.name = f"{base}-{number}"


def on_article_validate(doc, method=None):
	"""An internal article is never published; the app's counters and the source ticket keep what
	the app stored whatever a client sends (Frappe does not enforce read-only on the server);
	texts are cleaned."""
	if cint(doc.get("aftersales_internal")):
		doc.published = 0
	if not doc.flags.app_action:
		stored = (
			frappe.db.get_value(ARTICLE, doc.name, list(APP_FIELDS), as_dict=True, for_update=True)
			if not doc.is_new()
			else None
		) or frappe._dict()
		for fieldname in APP_FIELDS:
			doc.set(fieldname, stored.get(fieldname) or (0 if fieldname.endswith("avoided") else None))
	for fieldname in ("title", "aftersales_title_en"):
		doc.set(fieldname, clean_plain(doc.get(fieldname)))
	for fieldname in ("content", "aftersales_content_en"):
		doc.set(fieldname, clean_html(doc.get(fieldname)))


def on_article_update(doc, method=None):
	reindex(doc)


def on_article_trash(doc, method=None):
	"""The article's index rows and its avoided-request records go with it (they link to it)."""
	remove_from_index(doc.name)
	avoided = DocType(AVOIDED)
	frappe.qb.from_(avoided).delete().where(avoided.article == doc.name).run()


# --- search --------------------------------------------------------------------------------------


def audience_filter(audience: str):
	"""Which articles an audience may find: the one place that decides it."""
	article = DocType(ARTICLE)
	if audience == STAFF:
		return (article.published == 1) | (article.aftersales_internal == 1)
	return (article.published == 1) & (article.aftersales_internal == 0)


def _idf(terms: list[str], audience: str) -> dict[str, float]:
	"""BM25's inverse document frequency of each term, counted over the articles `audience` may
	find (one grouped query, and one count): a word of an internal or draft article alone must not
	change a guest's answer, not even its scores or order."""
	term, article = DocType(TERM), DocType(ARTICLE)
	df = dict(
		frappe.qb.from_(term)
		.join(article)
		.on(article.name == term.article)
		.select(term.term, Count("*"))
		.where(term.term.isin(terms))
		.where(audience_filter(audience))
		.groupby(term.term)
		.run()
	)
	if not df:
		return {}
	n = max(frappe.qb.from_(article).select(Count("*")).where(audience_filter(audience)).run()[0][0], 1)
	return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items() if d}


def search(
	query: str,
	audience: str = PUBLIC,
	limit: int = 10,
	start: int = 0,
	item_code: str | None = None,
	item_group: str | None = None,
	ticket_type: str | None = None,
	exclude: list[str] | None = None,
	min_share: float = 0.0,
) -> list[frappe._dict]:
	"""Articles matching `query` that `audience` may see, best first: each with its name, titles,
	a snippet of its text and its score. `item_code`, `item_group` and `ticket_type` raise the
	articles about the same product, product group (or a group above it) and type of problem, in
	that order of strength. `min_share` drops articles scoring less than that share of the best
	one (suggestions show the few that matter, not every article sharing a word)."""
	terms = query_terms(query)
	idf = _idf(terms, audience) if terms else {}
	if not idf:
		return []
	term, article = DocType(TERM), DocType(ARTICLE)
	idf_of_term = Case()
	for t, value in idf.items():
		idf_of_term = idf_of_term.when(term.term == t, value)
	score = Sum(term.weight * idf_of_term.else_(0))
	bonus = _bonus(article, item_code, item_group, ticket_type)
	ranked = score * (1 + Max(bonus)) if bonus is not None else score
	query_ = (
		frappe.qb.from_(term)
		# from the postings to their articles, never the other way round: MariaDB's estimates of a
		# freshly filled index can make it read every article's every term instead
		.force_index(SEARCH_INDEX)
		.join(article)
		.on(article.name == term.article)
		.select(term.article, ranked.as_("score"), Count("*").as_("matched"))
		.where(term.term.isin(list(idf)))
		.where(audience_filter(audience))
		.groupby(term.article)
		.orderby(ranked, order=frappe.qb.desc)
		.orderby(term.article)
		.limit(max(1, min(cint(limit), 50)))
		.offset(max(0, min(cint(start), 1000)))
	)
	if exclude:
		query_ = query_.where(term.article.notin(exclude))
	# a long query (a ticket's description) must share more than one word with an article
	if len(idf) > 3:
		query_ = query_.having(Count("*") >= 2)
	rows = query_.run(as_dict=True)
	if rows and min_share:
		rows = [r for r in rows if float(r.score or 0) >= min_share * float(rows[0].score or 0)]
	return _with_details(rows, list(idf))


def _bonus(article, item_code, item_group, ticket_type):
	"""The ranking bonus of an article for a ticket's product, group and type (None: no bonus)."""
	bonus = None
	groups = []
	if item_code and not item_group:
		item_group = frappe.db.get_value("Item", item_code, "item_group")
	if item_group:
		groups = [item_group, *get_ancestors_of("Item Group", item_group)]
		root = frappe.db.get_value("Item Group", {"parent_item_group": ("in", ["", None])}, "name")
		groups = [g for g in groups if g != root] or [item_group]
	for field, value, points in (
		(article.aftersales_item, item_code, ITEM_BONUS),
		(article.aftersales_ticket_type, ticket_type, TICKET_TYPE_BONUS),
	):
		if value:
			part = Case().when(field == value, points).else_(0)
			bonus = part if bonus is None else bonus + part
	if groups:
		part = Case().when(article.aftersales_item_group.isin(groups), ITEM_GROUP_BONUS).else_(0)
		bonus = part if bonus is None else bonus + part
	return bonus


SNIPPET_CHARS = 120


def snippet(text: str, terms: list[str]) -> str:
	"""About SNIPPET_CHARS characters of `text` around its first matching term (plain text)."""
	text = re.sub(r"\s+", " ", text or "").strip()
	lowered = _normalise(text)
	at = min((i for i in (lowered.find(t) for t in terms) if i >= 0), default=0)
	begin = max(0, at - SNIPPET_CHARS // 4)
	part = text[begin : begin + SNIPPET_CHARS]
	return ("…" if begin else "") + part + ("…" if begin + SNIPPET_CHARS < len(text) else "")


def _with_details(rows: list[dict], terms: list[str]) -> list[frappe._dict]:
	if not rows:
		return []
	# get_all on purpose: the rows were chosen by audience_filter above, which is the permission
	# check of the knowledge base (guests and customers have no rights on Help Article)
	details = {
		d.name: d
		for d in frappe.get_all(
			ARTICLE,
			filters={"name": ("in", [r.article for r in rows])},
			fields=[
				"name",
				"title",
				"content",
				"aftersales_title_en",
				"aftersales_content_en",
				"published",
				"aftersales_internal",
				"aftersales_item",
				"aftersales_ticket_type",
				"modified",
			],
		)
	}
	out = []
	for row in rows:
		d = details.get(row.article)
		if not d:
			continue
		title, content = localised(d)
		out.append(
			frappe._dict(
				name=d.name,
				title=title,
				snippet=snippet(plain_text(content), terms),
				internal=cint(d.aftersales_internal),
				item_code=d.aftersales_item,
				ticket_type=d.aftersales_ticket_type,
				modified=d.modified,
				score=round(float(row.score or 0), 4),
				matched=row.matched,
				route=f"/knowledge/{d.name}",
			)
		)
	return out


def localised(article) -> tuple[str, str]:
	"""Title and content in the reader's language: the English ones for an English reader when the
	article has them, the main (Chinese) ones otherwise."""
	english = (frappe.local.lang or "").startswith("en")
	title = as_text(article.get("title"))
	content = article.get("content") or ""
	if english and article.get("aftersales_title_en"):
		title = as_text(article.get("aftersales_title_en"))
	if english and plain_text(article.get("aftersales_content_en")):
		content = article.get("aftersales_content_en")
	return title, content


def public_article(name: str) -> frappe._dict | None:
	"""A published, non-internal article as the portal shows it (None for any other: internal,
	draft or missing alike)."""
	if not name or not isinstance(name, str):
		return None
	article = DocType(ARTICLE)
	rows = (
		frappe.qb.from_(article)
		.select(
			article.name,
			article.title,
			article.content,
			article.aftersales_title_en,
			article.aftersales_content_en,
			article.category,
			article.modified,
			article.aftersales_requests_avoided,
		)
		.where(article.name == name)
		.where(audience_filter(PUBLIC))
		.run(as_dict=True)
	)
	if not rows:
		return None
	row = rows[0]
	title, content = localised(row)
	return frappe._dict(
		name=row.name,
		title=title,
		content=clean_html(content),
		category=row.category,
		modified=row.modified,
	)


def popular_articles(limit: int = 10) -> list[frappe._dict]:
	"""The published, non-internal articles that avoided most requests, then the newest (the
	search page before anything is typed)."""
	article = DocType(ARTICLE)
	names = (
		frappe.qb.from_(article)
		.select(article.name)
		.where(audience_filter(PUBLIC))
		.orderby(article.aftersales_requests_avoided, order=frappe.qb.desc)
		.orderby(article.modified, order=frappe.qb.desc)
		.limit(limit)
		.run(pluck=True)
	)
	return _with_details([frappe._dict(article=name, score=0, matched=0) for name in names], [])


# --- a ticket's suggestions (staff) -------------------------------------------------------------


def ticket_query(ticket) -> str:
	"""The words of a ticket a suggestion is matched by: subject and description."""
	return f"{as_text(ticket.subject)} {plain_text(ticket.description)}"


def suggestions_for_ticket(ticket, limit: int = 5) -> list[frappe._dict]:
	"""Published and internal articles for a ticket, best first, preferring the same product, then
	the same product group, then the same ticket type. When words find fewer than `limit`, the
	newest articles about the same product follow."""
	found = search(
		ticket_query(ticket),
		audience=STAFF,
		limit=limit,
		item_code=ticket.item_code,
		ticket_type=ticket.ticket_type,
		min_share=SUGGESTION_SHARE,
	)
	if len(found) < limit and ticket.item_code:
		found += _about_item(ticket.item_code, limit - len(found), [r.name for r in found])
	return found


def _about_item(item_code: str, limit: int, exclude: list[str]) -> list[frappe._dict]:
	"""The newest articles staff may see about a product."""
	article = DocType(ARTICLE)
	query = (
		frappe.qb.from_(article)
		.select(article.name)
		.where(article.aftersales_item == item_code)
		.where(audience_filter(STAFF))
		.orderby(article.modified, order=frappe.qb.desc)
		.limit(limit)
	)
	if exclude:
		query = query.where(article.name.notin(exclude))
	rows = [frappe._dict(article=name, score=0, matched=0) for name in query.run(pluck=True)]
	return _with_details(rows, [])


# --- a ticket's resolution as a draft article ----------------------------------------------------


DEFAULT_CATEGORY_ROUTE = "kb/after-sales"


def make_default_category() -> str:
	"""The app's Help Category, named in the site's language, found again by its route."""
	existing = frappe.db.get_value("Help Category", {"route": DEFAULT_CATEGORY_ROUTE})
	if existing:
		return existing
	lang = site_language()
	name = _("After-Sales Knowledge", lang=lang)
	description = _("Answers to common product problems, written by the after-sales team", lang=lang)
	if frappe.db.exists("Help Category", name):
		return name
	category = frappe.get_doc(
		{
			"doctype": "Help Category",
			"category_name": name,
			"category_description": description,
			"route": DEFAULT_CATEGORY_ROUTE,
		}
	)
	# made by the app on behalf of whoever first needs it (agents may not create categories)
	category.insert(ignore_permissions=True)
	return category.name


def default_category() -> str:
	"""The app's Help Category (售后知识库 / After-Sales Knowledge), made when first needed and found
	by its route afterwards, so an admin may rename it."""
	return frappe.db.get_value("Help Category", {"route": DEFAULT_CATEGORY_ROUTE}) or make_default_category()


def make_article_from_ticket(ticket) -> tuple[str, bool]:
	"""A draft Help Article (not published, not internal) from a resolved ticket: its subject as
	the title; the problem, the diagnosis and the solution as the content; its product, product
	group and type; the ticket as its source. One per ticket: a second call returns the article
	already made (created False). The caller checked the user's rights on the ticket; Help Article's
	own create right is checked by the insert."""
	if not plain_text(ticket.resolution) and not (ticket.diagnosis or "").strip():
		frappe.throw(_("This ticket has no resolution yet to make an article of"))
	# the ticket's row lock: two clicks at once make one article
	frappe.db.get_value("Service Ticket", ticket.name, "name", for_update=True)
	existing = frappe.db.get_value(ARTICLE, {"aftersales_source_ticket": ticket.name})
	if existing:
		return existing, False

	sections = [
		(_("Problem"), clean_html(ticket.description or "")),
		(_("Diagnosis"), f"<p>{escape_html(as_text(ticket.diagnosis))}</p>" if ticket.diagnosis else ""),
		(_("Solution"), clean_html(ticket.resolution or "")),
	]
	content = "".join(
		f"<h3>{escape_html(heading)}</h3>{body}" for heading, body in sections if plain_text(body)
	)
	article = frappe.get_doc(
		{
			"doctype": ARTICLE,
			"title": as_text(ticket.subject)[:140],
			"category": default_category(),
			"published": 0,
			"aftersales_internal": 0,
			"content": content,
			"aftersales_item": ticket.item_code,
			"aftersales_item_group": frappe.db.get_value("Item", ticket.item_code, "item_group")
			if ticket.item_code
			else None,
			"aftersales_ticket_type": ticket.ticket_type,
			"aftersales_source_ticket": ticket.name,
			"author": frappe.utils.get_fullname(frappe.session.user),
		}
	)
	article.flags.app_action = True
	article.insert()
	return article.name, True


# --- "this solved my problem" -------------------------------------------------------------------


def count_avoided_request(article_name: str, user: str, customer: str | None = None) -> bool:
	"""A customer says a published article solved their problem instead of filing a request: the
	article's count of requests avoided goes up by one, once per user and article (a unique key on
	the record of it, so two clicks at once count once). Returns whether this call counted."""
	if not public_article(article_name):
		frappe.throw(_("This article was not found"), frappe.DoesNotExistError)
	if frappe.db.exists(AVOIDED, {"article": article_name, "user": user}):
		return False
	record = frappe.get_doc(
		{
			"doctype": AVOIDED,
			"article": article_name,
			"user": user,
			"customer": customer,
			"counted_on": now_datetime(),
		}
	)
	record.flags.app_action = True
	try:
		record.insert(ignore_permissions=True)  # customers have no rights on the record itself
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		return False
	article = DocType(ARTICLE)
	(
		frappe.qb.update(article)
		.set(article.aftersales_requests_avoided, article.aftersales_requests_avoided + 1)
		.where(article.name == article_name)
		.run()
	)
	return True
