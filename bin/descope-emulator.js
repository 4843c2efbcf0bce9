#!/usr/bin/env node
require("../dist/emulator/main.js");
