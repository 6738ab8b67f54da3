#!/usr/bin/env node
// The compiled CLI; `npm ci` builds it (the package's `prepare` script).
import '../dist/src/cli/main.js';
