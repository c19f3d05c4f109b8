#!/usr/bin/env node
// The govhub CLI: runs the compiled program (build with `npm run build`).
import '../dist/src/cli/main.js';
