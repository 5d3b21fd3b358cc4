// The knowledge base (知识库) on the portal. On the new-request form (/service-tickets/new) it
// suggests articles as the customer types the subject and description; "This solved my problem"
// counts a request avoided and shows a thank-you instead of submitting. On an article's page
// (/knowledge/<name>) the same button counts it. Calls go to aftersales_app.api.knowledge.
(function () {
	const portal = window.aftersales_portal;
	const SEARCH = "aftersales_app.api.knowledge.search_articles";
	const SOLVED = "aftersales_app.api.knowledge.count_solved";

	async function count_solved(article) {
		return portal.call(SOLVED, { article });
	}

	// --- an article's page -----------------------------------------------------------------
	const article_button = document.querySelector("#as-kb-article [data-kb-solved]");
	if (article_button) {
		const message = document.getElementById("as-message");
		article_button.addEventListener("click", async () => {
			article_button.disabled = true;
			try {
				const r = await count_solved(article_button.dataset.kbSolved);
				portal.show(message, r.message || portal.t("kb_thanks"), "ok");
			} catch (e) {
				portal.show(message, e.message);
				article_button.disabled = false;
			}
		});
	}

	// --- the new-request form --------------------------------------------------------------
	const form = document.getElementById("as-request-form");
	const panel = document.getElementById("as-kb-suggestions");
	if (!form || !panel) return;
	const list = document.getElementById("as-kb-suggestion-list");
	const thanks = document.getElementById("as-kb-thanks");
	const message = document.getElementById("as-message");
	let timer = null;
	let asked = 0; // the latest search: older answers arriving late are dropped
	let last_query = "";

	function product_args() {
		const args = {};
		const product = form.product ? form.product.value : "";
		if (product.startsWith("item:")) args.item_code = product.slice(5);
		if (product.startsWith("serial:")) {
			const option = form.product.selectedOptions[0];
			if (option && option.dataset.item) args.item_code = option.dataset.item;
		}
		if (form.ticket_type && form.ticket_type.value) args.ticket_type = form.ticket_type.value;
		return args;
	}

	function render(articles) {
		if (!articles.length) {
			panel.hidden = true;
			list.innerHTML = "";
			return;
		}
		list.innerHTML = articles
			.map(
				(a) => `<li class="as-card as-kb-suggestion" data-name="${portal.escape(a.name)}">
					<div class="as-subject">${portal.escape(a.title)}</div>
					<div class="as-meta">${portal.escape(a.snippet)}</div>
					<div class="as-actions">
						<a class="btn btn-default btn-sm" href="${portal.escape(a.route)}" target="_blank"
							rel="noopener">${portal.escape(portal.t("kb_read"))}</a>
						<button type="button" class="btn btn-primary btn-sm as-kb-solved"
							data-name="${portal.escape(a.name)}">${portal.escape(portal.t("kb_solved"))}</button>
					</div>
				</li>`
			)
			.join("");
		panel.hidden = false;
	}

	async function suggest() {
		const query = `${form.subject.value} ${form.description.value}`.trim();
		const key = JSON.stringify([query, product_args()]);
		if (key === last_query) return;
		last_query = key;
		const mine = ++asked;
		if (query.length < 2) return render([]);
		let articles = [];
		try {
			articles = await portal.call(SEARCH, {
				query: query.slice(0, 1000),
				limit: 3,
				suggest: 1,
				...product_args(),
			});
		} catch (e) {
			return; // suggestions are a help, never in the way of filing the request
		}
		if (mine === asked) render(articles || []);
	}

	function later() {
		clearTimeout(timer);
		timer = setTimeout(suggest, 400);
	}

	form.subject.addEventListener("input", later);
	form.description.addEventListener("input", later);
	if (form.product) form.product.addEventListener("change", later);
	if (form.ticket_type) form.ticket_type.addEventListener("change", later);

	list.addEventListener("click", async (event) => {
		const button = event.target.closest(".as-kb-solved");
		if (!button) return;
		button.disabled = true;
		try {
			const r = await count_solved(button.dataset.name);
			document.getElementById("as-kb-thanks-text").textContent = r.message || portal.t("kb_thanks");
			button.textContent = portal.t("kb_counted");
			form.hidden = true;
			message.hidden = true;
			thanks.hidden = false;
			thanks.dataset.article = button.dataset.name;
		} catch (e) {
			portal.show(message, e.message);
			button.disabled = false;
		}
	});

	document.getElementById("as-kb-still-need-help").addEventListener("click", () => {
		thanks.hidden = true;
		form.hidden = false;
		form.subject.focus();
	});
})();
