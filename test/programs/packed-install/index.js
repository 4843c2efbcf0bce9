/**
 * A user's program, in plain JavaScript so that it needs nothing but the two installed packages:
 * ada holds exactly "admin" and "billing" in the project. Run by test/e2e/packed-install.test.ts.
 */
"use strict";
const { UserRoleAssignment } = require("pulumi-descope-access");

const ada = new UserRoleAssignment("ada-project", { loginId: "ada@example.com", roleNames: ["admin", "billing"] });

exports.adaUserId = ada.userId;
