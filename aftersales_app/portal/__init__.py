"""The customer portal (售后服务门户), one module per concern: how a ticket looks to its customer
(display), what the customer owes (charges), the customer's confirm and dispute (resolution), the
guest lookup (lookup) and the pages' own plumbing (pages). Callers (aftersales_app.api.portal,
the www pages) check who may see a ticket first; these read that one ticket's history (status log,
visits, files), which a customer has no DocType rights on. States are shown by their category,
colour and icon from After-Sales Settings; no state is named here."""
