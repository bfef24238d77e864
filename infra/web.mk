# The web app (web/): its Node packages, its build, its own checks.
#   make web-deps   npm ci, only when web/package-lock.json changed since the last install (a stamp
#                   in node_modules, which npm ci recreates)
#   make web        the build in web/dist/, only when a file of web/ changed since the last build
#                   (what the build and the tests write is left out)
#   make web-check  the API types' staleness check, eslint (no v-html), vue-tsc, Vitest

WEB_STAMP := web/node_modules/.installed
WEB_SOURCES = $(shell find web \( -path web/node_modules -o -path web/dist -o -path web/dist-root \
	-o -path web/coverage -o -path web/test-results -o -path web/playwright-report \) -prune \
	-o -type f -print 2>/dev/null)

.PHONY: web web-deps web-check

web-deps: $(WEB_STAMP)

$(WEB_STAMP): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web: web/dist/index.html

web/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build
	touch $@

web-check: web-deps
	cd web && npm run --silent api-types:check
	cd web && npx eslint --max-warnings=0 .
	cd web && npx vue-tsc --noEmit
	cd web && npx vitest run

# The same app built for the deployed distribution, where it is served at / (make deploy uploads it).
.PHONY: web-root
web-root: web-deps
	cd web && APP_BASE=/ npm run build
