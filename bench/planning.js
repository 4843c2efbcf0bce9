/**
 * The pure planning core (dist/provider/plan.js) over 10 000 assignments of 20 roles each:
 * `normaliseRoles`, `planApply` (with `viewScope`), `planDiff`, and the three together per
 * assignment. No I/O: this is the ceiling of what the provider can plan per second.
 */
"use strict";

/** A deterministic PRNG so every run plans the same data. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 20 role names out of 40, in random order, with a few repeats (as a program may declare them). */
function pickRoles(random, pool) {
  const roles = [];
  while (roles.length < 20) roles.push(pool[Math.floor(random() * pool.length)]);
  return roles;
}

/** `count` assignments: inputs, the user the API returned, and the outputs stored in state. */
function buildCases(plan, count) {
  const random = mulberry32(42);
  const pool = Array.from({ length: 40 }, (_, i) => `role-${String(i).padStart(2, "0")}`);
  const cases = [];
  for (let i = 0; i < count; i++) {
    const tenantId = i % 2 === 0 ? null : `tenant-${i % 7}`;
    const inputs = {
      loginId: `user${i}@example.com`,
      tenantId,
      roleNames: pickRoles(random, pool),
      mode: i % 3 === 0 ? "add" : "set",
    };
    const live = pickRoles(random, pool);
    const user = {
      userId: `U${i}`,
      roleNames: tenantId === null ? live : [],
      userTenants: tenantId === null ? [] : [{ tenantId, tenantName: tenantId, roleNames: live }],
    };
    const granted = inputs.mode === "add" ? inputs.roleNames.slice(0, 5) : [];
    const olds = plan.toOutputs(inputs, user, {
      grantedRoleNames: granted,
      createdMembership: false,
      secretInputs: [],
    });
    cases.push({ inputs, user, olds });
  }
  return cases;
}

/** Runs `body` over every case `rounds` times after one warm-up; the median rate in cases/s. */
function rate(cases, rounds, body) {
  let sink = 0;
  const rates = [];
  for (let r = 0; r <= rounds; r++) {
    const started = performance.now();
    for (const c of cases) sink += body(c);
    const seconds = (performance.now() - started) / 1000;
    if (r > 0) rates.push(cases.length / seconds);
  }
  if (sink === -1) console.log(sink); // keeps the work observable
  rates.sort((a, b) => a - b);
  return Math.round(rates[Math.floor(rates.length / 2)]);
}

/** Measures the planning core; returns assignments (or calls) per second for each function. */
function benchPlanning(plan, count = 10_000, rounds = 7) {
  const cases = buildCases(plan, count);
  return {
    assignments: count,
    rolesEach: 20,
    normaliseRoles: rate(cases, rounds, (c) => plan.normaliseRoles(c.inputs.roleNames).length),
    planApply: rate(
      cases,
      rounds,
      (c) => plan.planApply(c.inputs, plan.viewScope(c.user, c.inputs.tenantId), c.olds).operations.length,
    ),
    planDiff: rate(cases, rounds, (c) => plan.planDiff(c.olds, c.inputs, true).replaces.length),
    all: rate(cases, rounds, (c) => {
      const declared = plan.normaliseRoles(c.inputs.roleNames);
      const applied = plan.planApply(c.inputs, plan.viewScope(c.user, c.inputs.tenantId), c.olds);
      return declared.length + applied.operations.length + plan.planDiff(c.olds, c.inputs, true).replaces.length;
    }),
  };
}

module.exports = { benchPlanning };
