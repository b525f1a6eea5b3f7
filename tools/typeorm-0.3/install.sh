#!/usr/bin/env bash
# Installs TypeORM 0.3 (pinned in package.json, the oldest line the plugin supports) into
# tools/typeorm-0.3/node_modules. Integration tests link a test project's node_modules/typeorm here to prove the
# plugin works with the user's TypeORM 0.3 as well as with the workspace's 1.x.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
echo "TypeORM $(node -p "require('./node_modules/typeorm/package.json').version") installed in tools/typeorm-0.3."
