// Customer portal helpers: calls to aftersales_app.api.portal with Frappe's CSRF token, photo
// uploads through Frappe's upload_file, and the state badge (colour + icon + name). Texts come
// translated from the server (window.aftersales_portal_messages).
(function () {
	const messages = window.aftersales_portal_messages || {};
	const portal = (window.aftersales_portal = {});

	portal.t = (key) => messages[key] || key;

	portal.escape = (value) =>
		String(value === undefined || value === null ? "" : value).replace(
			/[&<>"']/g,
			(c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]
		);

	// "2026-05-01 10:20:30.123" -> "2026-05-01 10:20" (the site's time, as the server wrote it)
	portal.time = (value) => String(value || "").slice(0, 16);

	portal.badge = (state) => {
		state = state || {};
		const icon = state.icon
			? `<svg class="icon icon-sm" aria-hidden="true"><use href="#icon-${portal.escape(
					state.icon
				)}"></use></svg>`
			: "";
		return (
			`<span class="as-state as-state-${portal.escape(state.color || "gray")}"` +
			` data-category="${portal.escape(state.category)}" title="${portal.escape(
				state.category_label
			)}">${icon}<span class="as-state-label">${portal.escape(state.label)}</span></span>`
		);
	};

	function headers() {
		const out = { Accept: "application/json", "X-Frappe-Site-Name": window.location.hostname };
		if (window.frappe && frappe.csrf_token && !["None", "{{ csrf_token }}"].includes(frappe.csrf_token)) {
			out["X-Frappe-CSRF-Token"] = frappe.csrf_token;
		}
		return out;
	}

	function error_text(data, status) {
		const texts = [];
		try {
			for (const raw of JSON.parse((data && data._server_messages) || "[]")) {
				const message = JSON.parse(raw);
				texts.push(message.message || message);
			}
		} catch (e) {
			// not a Frappe error answer: fall through to the generic text
		}
		const holder = document.createElement("div");
		holder.innerHTML = texts.join(" ");
		const text = holder.textContent.trim();
		if (text) return text;
		return status === 429 ? portal.t("too_many") : portal.t("failed");
	}

	async function send(url, body) {
		let response;
		try {
			response = await fetch(url, {
				method: "POST",
				headers: headers(),
				body,
				credentials: "same-origin",
			});
		} catch (e) {
			throw new Error(portal.t("offline"));
		}
		let data = {};
		try {
			data = await response.json();
		} catch (e) {
			data = {};
		}
		if (!response.ok) {
			const error = new Error(error_text(data, response.status));
			error.status = response.status;
			throw error;
		}
		return data.message;
	}

	portal.call = (method, args) => {
		const body = new URLSearchParams();
		for (const [key, value] of Object.entries(args || {})) {
			if (value !== undefined && value !== null) body.append(key, value);
		}
		return send(`/api/method/${method}`, body);
	};

	portal.upload = (ticket, file) => {
		const body = new FormData();
		body.append("file", file, file.name);
		body.append("is_private", "1");
		body.append("method", "aftersales_app.api.portal.attach_file");
		body.append("ticket", ticket);
		return send("/api/method/upload_file", body);
	};

	portal.show = (element, text, kind) => {
		element.textContent = text;
		element.className = `as-alert as-alert-${kind || "error"}`;
		element.hidden = false;
		element.setAttribute("role", kind === "ok" ? "status" : "alert");
	};
})();
