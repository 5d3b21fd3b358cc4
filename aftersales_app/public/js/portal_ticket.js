// The customer's ticket page (/service-tickets/<name>): confirm or dispute the resolution, add photos.
(function () {
	const portal = window.aftersales_portal;
	const root = document.getElementById("as-ticket");
	const name = root.dataset.name;
	const message = document.getElementById("as-message");
	const reload = () => setTimeout(() => window.location.reload(), 600);

	function busy(button, on) {
		if (button) button.disabled = on;
	}

	const confirm = document.getElementById("as-confirm");
	if (confirm) {
		confirm.addEventListener("click", async () => {
			busy(confirm, true);
			try {
				await portal.call("aftersales_app.api.portal.confirm_resolution", { name });
				portal.show(message, portal.t("confirmed"), "ok");
				reload();
			} catch (e) {
				portal.show(message, e.message);
				busy(confirm, false);
			}
		});
	}

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
