/**
 * pulumi-descope-access: manage which Descope roles a user holds with `pulumi up`.
 */
export { UserRoleAssignment } from "./resource";
export type { UserRoleAssignmentArgs, AssignmentMode } from "./resource";
export {
  DescopeError,
  DescopeApiError,
  DescopeRateLimitedError,
  DescopeNetworkError,
  DescopeTimeoutError,
  DescopeBadResponseError,
  DescopeConfigError,
  UserNotFoundError,
  UserMismatchError,
} from "./errors";
export { DescopeServiceUnavailableError } from "./errors";
export type { DescopeErrorCode } from "./errors";
export { declareGrants, parseGrants, grantName, readGrantsFile, MAX_GRANTS_FILE_BYTES } from "./grants";
export type { Grant } from "./grants";
