// The customer's ticket page (/service-tickets/<name>): confirm or dispute the resolution, urge
// the ticket (催单), add photos.
(function () {
	const portal = window.aftersales_portal;
	const root = document.getElementById("as-ticket");
	const name = root.dataset.name;
	const message = document.getElementById("as-message");
	const reload = () => setTimeout(() => window.location.reload(), 600);

	function busy(button, on) {
		if (button) button.disabled = on;
	}

	// a button that calls one method of the ticket and says how it went; `then` after success
	function on_click(id, method, done, then) {
		const button = document.getElementById(id);
		if (!button) return;
		button.addEventListener("click", async () => {
			busy(button, true);
			try {
				await portal.call(`aftersales_app.api.portal.${method}`, { name });
				portal.show(message, portal.t(done), "ok");
				if (then) then();
			} catch (e) {
				portal.show(message, e.message);
				busy(button, false);
			}
		});
	}

	on_click("as-confirm", "confirm_resolution", "confirmed", reload);
	on_click("as-urge", "urge_ticket", "urged");

	const open = document.getElementById("as-dispute-open");
	const form = document.getElementById("as-dispute-form");
	if (open && form) {
		open.addEventListener("click", () => {
			form.hidden = false;
			form.querySelector("textarea").focus();
		});
		form.addEventListener("submit", async (event) => {
			event.preventDefault();
			const reason = form.querySelector("textarea").value.trim();
			if (!reason) {
				portal.show(message, portal.t("need_reason"));
				return;
			}
			const button = document.getElementById("as-dispute");
			busy(button, true);
			try {
				await portal.call("aftersales_app.api.portal.dispute_resolution", { name, reason });
				portal.show(message, portal.t("disputed"), "ok");
				reload();
			} catch (e) {
				portal.show(message, e.message);
				busy(button, false);
			}
		});
	}

	// a return's courier pickup and the customer's own shipment (aftersales_app.api.returns)
	document.querySelectorAll(".as-return").forEach((section) => {
		const submit = (selector, method, fields, done) => {
			const form = section.querySelector(selector);
			if (!form) return;
			form.addEventListener("submit", async (event) => {
				event.preventDefault();
				const args = { name: section.dataset.return };
				fields.forEach((field) => (args[field] = form.elements[field].value.trim()));
				const button = form.querySelector("button");
				busy(button, true);
				try {
					await portal.call(`aftersales_app.api.returns.${method}`, args);
					portal.show(message, portal.t(done), "ok");
					reload();
				} catch (e) {
					portal.show(message, e.message);
					busy(button, false);
				}
			});
		};
		submit(".as-pickup-form", "request_pickup", ["address", "pickup_date"], "pickup_requested");
		submit(".as-shipment-form", "record_shipment", ["carrier", "tracking_no"], "shipment_recorded");
	});

	const upload = document.getElementById("as-upload-form");
	if (upload) {
		upload.addEventListener("submit", async (event) => {
			event.preventDefault();
			const input = document.getElementById("as-upload");
			if (!input.files.length) return;
			try {
				portal.show(message, portal.t("uploading"), "ok");
				await portal.upload(name, input.files[0]);
				portal.show(message, portal.t("uploaded"), "ok");
				reload();
			} catch (e) {
				portal.show(message, e.message);
			}
		});
	}
})();
