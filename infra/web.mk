# The web app (web/): its Node packages, its generated API types, its own checks.
#   make web-deps   npm ci, only when web/package-lock.json changed since the last install
#   make web-check  eslint (no v-html), vue-tsc, Vitest, and the API types' staleness check

WEB_STAMP := web/node_modules/.installed-$(shell sha1sum web/package-lock.json | cut -c1-12)

.PHONY: web-deps web-check

web-deps: $(WEB_STAMP)

$(WEB_STAMP): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	rm -f web/node_modules/.installed-* && touch $@

web-check: web-deps
	cd web && npm run --silent api-types:check
	cd web && npx eslint --max-warnings=0 .
	cd web && npx vue-tsc --noEmit
	cd web && npx vitest run
