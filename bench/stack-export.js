#!/usr/bin/env node
/**
 * Stands in for `pulumi stack export` in the by-hand provider bench (DESCOPE_PULUMI_CLI): prints
 * the stack's record as the engine would keep it, from the states the up worker wrote
 * (BENCH_STATES), or an empty stack before the up.
 */
"use strict";

const fs = require("node:fs");

const TYPE = "pulumi-nodejs:dynamic/descope:UserRoleAssignment";
const states = process.env.BENCH_STATES ? JSON.parse(fs.readFileSync(process.env.BENCH_STATES, "utf8")) : [];
const resources = states.map((s) => ({ urn: s.outs.__urn, type: TYPE, id: s.id, outputs: s.outs }));
process.stdout.write(`${JSON.stringify({ version: 3, deployment: { resources } })}\n`);
